// The worker under load, three ways (scripts/loadtest.mjs):
//   wrangler  wrangler 4's unstable_startWorker in local mode — what `wrangler dev` runs (its proxy
//             worker in front of the user worker), in-process, 127.0.0.1, a random port
//   direct    the production bundle (`wrangler deploy --dry-run`) in Miniflare's programmatic API,
//             serving 127.0.0.1 itself: no dev proxy in the way
//   url       a worker someone already runs (`npm start`), on 127.0.0.1 only
// In the first two the catalog is put into KV before the worker serves (a 10,000-line-item
// catalog is ~8 MB; publishing it entity by entity through the admin API would write every
// intermediate version), state lives in a throwaway directory (Durable Objects persisted to disk,
// as `wrangler dev` does) and `stop()` is idempotent and bounded.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bounded, PROJECT_ROOT } from './local-worker.mjs';

const BUILD_TIMEOUT_MS = 120_000;
const STOP_MS = 10_000;
const CONFIG = join(PROJECT_ROOT, 'wrangler.toml');

/** Puts each [key, value] into the CATALOG namespace of a Miniflare-compatible handle. */
async function putAll(kv, entries) {
  for (const [key, value] of entries) await kv.put(key, value);
}

async function catalogNamespaceId() {
  const { unstable_getMiniflareWorkerOptions } = await import('wrangler');
  const { workerOptions } = unstable_getMiniflareWorkerOptions(CONFIG);
  const ns = workerOptions.kvNamespaces?.CATALOG;
  const id = typeof ns === 'string' ? ns : ns?.id;
  if (typeof id !== 'string') throw new Error('wrangler.toml has no CATALOG KV namespace');
  return id;
}

/** Writes KV entries into the state directory `wrangler dev --persist-to <dir>` reads (<dir>/v3/kv). */
async function preseedPersistedKv(persistDir, entries) {
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null, { status: 204 }); } }',
    kvNamespaces: { CATALOG: await catalogNamespaceId() },
    defaultPersistRoot: join(persistDir, 'v3'),
  });
  try {
    await putAll(await mf.getKVNamespace('CATALOG'), entries);
  } finally {
    await mf.dispose();
  }
}

function makeStopper(steps) {
  let stopping;
  return () => {
    stopping ??= (async () => {
      for (const step of steps) await bounded(Promise.resolve().then(step), STOP_MS);
    })();
    return stopping;
  };
}

function removeOnExit(dir) {
  const remove = () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort while exiting
    }
  };
  process.on('exit', remove);
  return () => process.off('exit', remove);
}

async function startWrangler({ vars, kvEntries, verbose }) {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  process.env.WRANGLER_SEND_METRICS = 'false';
  const persistDir = await mkdtemp(join(tmpdir(), 'edgebid-loadtest-'));
  const forget = removeOnExit(persistDir);
  let worker;
  // The exit hook stays until the directory is gone, so a failed removal is retried at exit.
  const stop = makeStopper([() => worker?.dispose(), async () => {
    await rm(persistDir, { recursive: true, force: true });
    forget();
  }]);
  try {
    await preseedPersistedKv(persistDir, kvEntries);
    const { unstable_startWorker } = await import('wrangler');
    worker = await unstable_startWorker({
      config: CONFIG,
      bindings: Object.fromEntries(Object.entries(vars).map(([k, value]) => [k, { type: 'plain_text', value }])),
      sendMetrics: false,
      dev: {
        remote: false,
        persist: persistDir,
        server: { hostname: '127.0.0.1', port: 0 },
        inspector: false,
        watch: false,
        logLevel: verbose ? 'info' : 'error',
      },
    });
    await worker.ready;
    return { url: await worker.url, stop, ownsWorker: true };
  } catch (err) {
    await stop();
    throw err;
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

async function startDirect({ vars, kvEntries, verbose, inspectorPort, inMemory, keepObjects }) {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  process.env.WRANGLER_SEND_METRICS = 'false';
  const dir = await mkdtemp(join(tmpdir(), 'edgebid-loadtest-direct-'));
  const forget = removeOnExit(dir);
  let mf;
  const stop = makeStopper([() => mf?.dispose(), async () => {
    await rm(dir, { recursive: true, force: true });
    forget();
  }]);
  try {
    await buildBundle(join(dir, 'bundle'));
    const [{ unstable_getMiniflareWorkerOptions }, { Miniflare, Log, LogLevel }] = await Promise.all([import('wrangler'), import('miniflare')]);
    const { workerOptions } = unstable_getMiniflareWorkerOptions(CONFIG);
    // --keep-objects: workerd evicts an idle object after 10 s, Cloudflare after 70-140 s; over a
    // two-minute run the deployed behaviour is closer to "never" than to 10 s.
    const durableObjects = keepObjects
      ? Object.fromEntries(Object.entries(workerOptions.durableObjects ?? {}).map(([name, d]) => [name, typeof d === 'string' ? { className: d, unsafePreventEviction: true } : { ...d, unsafePreventEviction: true }]))
      : workerOptions.durableObjects;
    mf = new Miniflare({
      ...workerOptions,
      durableObjects,
      modules: true,
      modulesRoot: join(dir, 'bundle'),
      scriptPath: join(dir, 'bundle', 'index.js'),
      bindings: { ...workerOptions.bindings, ...vars },
      cf: false,
      host: '127.0.0.1',
      port: 0,
      // In memory, objects cost no files: the difference shows what local disk adds.
      ...(inMemory ? {} : { defaultPersistRoot: join(dir, 'state') }),
      ...(inspectorPort ? { inspectorPort } : {}),
      // The worker's own log lines (JSON) and Miniflare's (e.g. each queue batch and its time) go to
      // stderr with --verbose; otherwise they would only interleave with the report.
      ...(verbose ? { log: new Log(LogLevel.INFO) } : {}),
      handleRuntimeStdio(stdout, stderr) {
        if (verbose) {
          stdout.on('data', (d) => process.stderr.write(d));
          stderr.on('data', (d) => process.stderr.write(d));
        } else {
          stdout.resume();
          stderr.resume();
        }
      },
    });
    const url = await mf.ready;
    await putAll(await mf.getKVNamespace('CATALOG'), kvEntries);
    return { url, stop, ownsWorker: true, bundlePath: join(dir, 'bundle', 'index.js') };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * @param {{ mode: 'wrangler' | 'direct' | 'url', vars: Record<string, string>, kvEntries: [string, string][], url?: string, verbose?: boolean, inspectorPort?: number, inMemory?: boolean, keepObjects?: boolean }} opts
 * @returns {Promise<{ url: URL, stop: () => Promise<void>, ownsWorker: boolean }>}
 */
export async function startTarget(opts) {
  const target =
    opts.mode === 'wrangler'
      ? await startWrangler(opts)
      : opts.mode === 'direct'
        ? await startDirect(opts)
        : { url: new URL(opts.url ?? ''), stop: () => Promise.resolve(), ownsWorker: false };
  if (target.url.hostname !== '127.0.0.1') {
    await target.stop();
    throw new Error(`the worker is on ${target.url.hostname}; the load test only sends traffic to 127.0.0.1`);
  }
  return target;
}

/** A TCP port free on 127.0.0.1 right now (for workerd's inspector). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The worker's memory: workerd processes this Node process started (Miniflare spawns them).

function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may contain spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    return { pid, comm, ppid };
  } catch {
    return null;
  }
}

/** workerd processes descended from this one (Linux /proc), e.g. wrangler's proxy and the user worker. */
export function workerdPids() {
  let all;
  try {
    all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => procStat(Number(d))).filter(Boolean);
  } catch {
    return [];
  }
  const children = new Map();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out = [];
  const queue = [process.pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      if (child.comm === 'workerd') out.push(child.pid);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Resident set size in MB (VmRSS), or null when the process is gone. */
export function rssMb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}
