// The production bundle — exactly what `wrangler deploy` uploads, built offline with --dry-run —
// running in workerd through Miniflare, with the bindings wrangler.toml declares (in-memory KV,
// SQLite Durable Objects, Queues with their consumer, Rate Limiting). Talking to Miniflare
// directly skips the proxy worker `wrangler dev` puts in front, which is most of the per-request
// overhead when a script sends tens of thousands of requests. The worker's own log lines are
// handed to `onLog` (one call per line), so a script can count what the worker complained about.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT, bounded } from './local-worker.mjs';

const BUILD_TIMEOUT_MS = 120_000;
/** Linux reports process CPU in clock ticks of 1/100 s. */
const TICKS_PER_SEC = 100;

/**
 * CPU seconds used so far by this process's child processes (workerd), from /proc; null where
 * /proc is not available. Lets a script tell the worker's cost from the machine's load.
 */
export function childCpuSeconds() {
  try {
    const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    let ticks = 0;
    for (const pid of children) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start at state (field 3).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    }
    return ticks / TICKS_PER_SEC;
  } catch {
    return null;
  }
}

function buildBundle(outdir) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', outdir],
      { cwd: PROJECT_ROOT, timeout: BUILD_TIMEOUT_MS, env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' } },
      (err, stdout, stderr) => (err ? reject(new Error(`wrangler deploy --dry-run failed:\n${stderr || stdout || err.message}`)) : resolve()),
    );
  });
}

/**
 * @param {{ vars: Record<string, string>, ratelimits?: Record<string, { simple: { limit: number, period: 10 | 60 } }>, tag: string, onLog?: (line: string, stream: 'stdout' | 'stderr') => void, onReady?: (mf: import('miniflare').Miniflare) => Promise<void> }} opts
 * @returns {Promise<{ url: URL, stop: () => Promise<void> }>}
 */
export async function startBundledWorker({ vars, ratelimits = {}, tag, onLog = () => undefined, onReady = async () => undefined }) {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  process.env.WRANGLER_SEND_METRICS = 'false';
  const dir = await mkdtemp(join(tmpdir(), `edgebid-${tag}-`));
  // Also when the script is interrupted (process.exit from a signal handler) before stop().
  const removeOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeOnExit);
  let mf;
  const stop = async () => {
    if (mf) await bounded(mf.dispose(), 10_000);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    process.off('exit', removeOnExit);
  };
  try {
    await buildBundle(dir);
    const [{ unstable_getMiniflareWorkerOptions }, { Miniflare }] = await Promise.all([import('wrangler'), import('miniflare')]);
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(PROJECT_ROOT, 'wrangler.toml'));
    mf = new Miniflare({
      ...workerOptions,
      modules: true,
      modulesRoot: dir,
      scriptPath: join(dir, 'index.js'),
      bindings: { ...workerOptions.bindings, ...vars },
      ratelimits: { ...workerOptions.ratelimits, ...ratelimits },
      cf: false,
      host: '127.0.0.1',
      port: 0,
      handleRuntimeStdio(stdout, stderr) {
        createInterface({ input: stdout }).on('line', (line) => onLog(line, 'stdout'));
        createInterface({ input: stderr }).on('line', (line) => onLog(line, 'stderr'));
      },
    });
    const url = await mf.ready;
    if (url.hostname !== '127.0.0.1') throw new Error(`worker is on ${url.hostname}, expected 127.0.0.1`);
    // Before the caller's first request, e.g. seeding KV.
    await onReady(mf);
    return { url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
