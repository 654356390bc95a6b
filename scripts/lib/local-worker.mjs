// The real worker, started in-process for scripts (conformance, bench): wrangler 4's
// unstable_startWorker in local mode on 127.0.0.1, a random port, a throwaway state directory,
// fixed vars, offline. `stop()` is idempotent and bounded, can stop a worker that is still
// starting, and an 'exit' listener removes the state directory even when wrangler's own signal
// handler calls process.exit() first.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STOP_STEP_MS = 10_000;

/**
 * @param {{ vars: Record<string, string>, tag: string, healthTimeoutMs?: number }} opts
 * @returns {{ ready: Promise<{ url: URL, persistDir: string }>, stop: () => Promise<void> }}
 */
export function startLocalWorker({ vars, tag, healthTimeoutMs = 60_000 }) {
  // Offline: no Request.cf fetch, no metrics. Set before wrangler is loaded.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  process.env.WRANGLER_SEND_METRICS = 'false';
  /** @type {string | undefined} */
  let persistDir;
  const removeOnExit = () => {
    if (!persistDir) return;
    try {
      rmSync(persistDir, { recursive: true, force: true });
    } catch {
      // best effort while exiting
    }
  };
  process.on('exit', removeOnExit);

  /** @type {Promise<void> | undefined} */
  let stopping;
  const starting = (async () => {
    persistDir = await mkdtemp(join(tmpdir(), `edgebid-${tag}-`));
    const { unstable_startWorker } = await import('wrangler');
    const bindings = Object.fromEntries(Object.entries(vars).map(([k, value]) => [k, { type: 'plain_text', value }]));
    const worker = await unstable_startWorker({
      config: join(PROJECT_ROOT, 'wrangler.toml'),
      bindings,
      sendMetrics: false,
      dev: {
        remote: false,
        persist: persistDir,
        server: { hostname: '127.0.0.1', port: 0 },
        inspector: false,
        watch: false,
        logLevel: 'error',
      },
    });
    await worker.ready;
    return worker;
  })();

  const stop = () => {
    stopping ??= (async () => {
      const w = await bounded(starting, STOP_STEP_MS);
      if (w) await bounded(w.dispose(), STOP_STEP_MS);
      if (persistDir) await rm(persistDir, { recursive: true, force: true }).catch(() => undefined);
      process.off('exit', removeOnExit);
    })();
    return stopping;
  };

  const ready = (async () => {
    const worker = await starting;
    if (stopping) throw new Error('stopped while starting');
    const url = await worker.url;
    if (url.hostname !== '127.0.0.1') throw new Error(`worker is on ${url.hostname}, expected 127.0.0.1`);
    await waitForHealth(url, Date.now() + healthTimeoutMs);
    return { url, persistDir: persistDir ?? '' };
  })();
  return { ready, stop };
}

/** `promise`'s value, or undefined if it rejects or takes longer than `ms`. */
export async function bounded(promise, ms) {
  let timer;
  const late = new Promise((res) => {
    timer = setTimeout(res, ms, undefined);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForHealth(base, deadline) {
  while (Date.now() < deadline) {
    const r = await fetch(new URL('/healthz', base), { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    if (r?.status === 200) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error('worker did not answer GET /healthz with 200');
}
