// `npm run loadtest -- --direct --profile`: a CPU profile of the worker's isolate while the mix
// runs at concurrency 50, taken over workerd's inspector (Chrome DevTools protocol, 127.0.0.1).
// Self time is summed per function and per source module: the bundle esbuild wrote carries a
// `// src/…` comment before each module, so a bundle line maps back to the file it came from.
// Native work (a Durable Object call being set up, crypto, JSON.parse) counts as self time of the
// JavaScript function that called it.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

/** Bundle line (0-based) → the module it belongs to, from esbuild's `// path` comments. */
function moduleIndex(bundlePath) {
  const starts = [];
  const lines = readFileSync(bundlePath, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const m = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(line);
    if (m) starts.push([i, m[1].replace(/^node_modules\/(\.pnpm\/)?/, '')]);
  });
  const moduleOf = (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(runtime)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid][0] <= line) {
        found = starts[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  /** An anonymous function is named by the start of its source line. */
  const snippet = (line) => (lines[line] ?? '').trim().slice(0, 70);
  return { moduleOf, snippet };
}

/** Starts profiling the user worker; `stop()` resolves with the summary. */
export async function startProfile({ inspectorPort, bundlePath }) {
  const list = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  const target = list.find((t) => /core:user/.test(t.webSocketDebuggerUrl ?? '')) ?? list.find((t) => !/queues|proxy|entry/.test(t.webSocketDebuggerUrl ?? ''));
  if (!target) throw new Error('no worker to profile on the inspector');
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map();
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw));
    pending.get(msg.id)?.(msg);
    pending.delete(msg.id);
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const n = ++id;
      pending.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 250 });
  await send('Profiler.start');
  return {
    async stop(top = 15) {
      const { result } = await send('Profiler.stop');
      ws.close();
      return summarise(result.profile, moduleIndex(bundlePath), top);
    },
  };
}

function summarise(profile, { moduleOf, snippet }, top) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map();
  const byModule = new Map();
  let total = 0;
  profile.samples.forEach((nodeId, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = nodes.get(nodeId).callFrame;
    const where = url ? moduleOf(lineNumber) : functionName.startsWith('(') ? functionName : '(native)';
    const fn = `${functionName || (url ? `\`${snippet(lineNumber)}\`` : '(anonymous)')} — ${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
    byModule.set(where, (byModule.get(where) ?? 0) + dt);
    total += dt;
  });
  const pct = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, pct: Number(((100 * us) / total).toFixed(1)) }));
  return { sampledMs: Math.round(total / 1000), functions: pct(byFunction), modules: pct(byModule) };
}
