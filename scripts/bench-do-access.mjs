// `npm run bench:do [-- --duration <s>] [-- --json]`: how the hot path should call the user's
// Durable Object — itty-durable (named in the original design card) against native Workers RPC —
// measured on the same profile read and payload (README, "Speed").
//
// A benchmark worker (bundled here with esbuild, run in workerd through Miniflare on 127.0.0.1,
// SQLite-backed objects persisted to a throwaway directory) has two object classes holding the
// same snapshot (a realistic ProfileSnapshot of 12 segment memberships and 3 conversions, ~1 KB
// of JSON; and a 16 KB one):
//   native   `class … extends DurableObject`, `stub.getSnapshot()` over Workers RPC (what
//            src/store/profile-reader.ts does); the payload travels as a structured clone
//   itty     `class … extends createDurable()` from itty-durable, `proxyDurable(ns).get(name)
//            .getSnapshot()`: the library turns the call into a fetch to the object (arguments
//            as JSON in a header) and the answer into JSON parsed back
//   fetch    the native object's own `fetch()` answering Response.json(snapshot), parsed by the
//            caller: the protocol itty-durable uses, without the library
// Every answer is compared with the payload before timing. Two measurements:
//   in-worker  a route makes n reads back to back (and 10 at a time) inside the worker and times
//              them: the call's own cost, no HTTP in front (rounds interleave the three ways)
//   http       autocannon at 10 connections on GET /read?via=… (one read per request) and on a
//              do-nothing route, for req/s and latency with the worker's HTTP overhead around it
// Local objects run in the same workerd process as the caller, so this measures what the access
// layer costs (serialisation, proxies, request/response objects), not the network hop a deployed
// object adds. Bounded (under a minute by default); traffic to 127.0.0.1 only.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { PROJECT_ROOT } from './lib/local-worker.mjs';

const OBJECTS = 100;
const LOOP_CALLS = 2_000;
const ROUNDS = 5;
const HARD_TIMEOUT_MS = 170_000;
const VIAS = ['native', 'itty', 'fetch'];

function parseArgs(argv) {
  const o = { durationS: 5, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') o.json = true;
    else if (argv[i] === '--duration') {
      o.durationS = Number(argv[++i]);
      if (!Number.isInteger(o.durationS) || o.durationS < 1 || o.durationS > 20) usage('--duration must be 1..20');
    } else usage(`unknown option ${argv[i]}`);
  }
  return o;
}

function usage(problem) {
  console.error(`bench:do: ${problem}\nusage: node scripts/bench-do-access.mjs [--duration <s>] [--json]`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const log = (m) => console.error(`bench:do: ${m}`);
const out = (l = '') => process.stdout.write(`${l}\n`);

function snapshot(segments, conversions) {
  const now = Date.UTC(2026, 10, 23, 12);
  return {
    version: 1,
    updatedAtMs: now,
    segments: Object.fromEntries(Array.from({ length: segments }, (_, i) => [`seg-${i}@adv-${i % 7}`, { sinceMs: now - i * 3_600_000, expiresAtMs: now + 7 * 86_400_000 }])),
    conversions: Object.fromEntries(Array.from({ length: conversions }, (_, i) => [`cmp-${i}`, now - i * 86_400_000])),
  };
}

const PAYLOADS = { '1 KB': snapshot(12, 3), '16 KB': snapshot(190, 40) };

const WORKER = `
import { DurableObject } from 'cloudflare:workers';
import { createDurable, proxyDurable } from 'itty-durable';

export class NativeProfile extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.snapshot = null;
    ctx.blockConcurrencyWhile(async () => { this.snapshot = (await ctx.storage.get('snapshot')) ?? null; });
  }
  async put(snapshot) { this.snapshot = snapshot; await this.ctx.storage.put('snapshot', snapshot); return true; }
  getSnapshot() { return this.snapshot; }
  async fetch() { return Response.json(this.snapshot); }
}

export class IttyProfile extends createDurable({ autoReturn: false }) {
  constructor(state, env) { super(state, env); this.snapshot = null; }
  async put(snapshot) { this.snapshot = snapshot; await this.persist(); return true; }
  getSnapshot() { return this.snapshot; }
}

const name = (i) => 'user-' + i;
function reader(env, via) {
  if (via === 'native') return (i) => env.NATIVE.get(env.NATIVE.idFromName(name(i))).getSnapshot();
  if (via === 'fetch') return async (i) => (await env.NATIVE.get(env.NATIVE.idFromName(name(i))).fetch('https://profile/snapshot')).json();
  const itty = proxyDurable(env.ITTY, { name: 'ITTY', parse: true });
  return (i) => itty.get(name(i)).getSnapshot();
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const q = (k) => url.searchParams.get(k);
    if (url.pathname === '/noop') return new Response('ok');
    if (url.pathname === '/seed') {
      const snapshot = await request.json();
      const itty = proxyDurable(env.ITTY, { name: 'ITTY', parse: true });
      for (let i = 0; i < Number(q('objects')); i++) {
        await env.NATIVE.get(env.NATIVE.idFromName(name(i))).put(snapshot);
        await itty.get(name(i)).put(snapshot);
      }
      return new Response(null, { status: 204 });
    }
    if (url.pathname === '/read') return Response.json(await reader(env, q('via'))(Number(q('u'))));
    if (url.pathname === '/loop') {
      const read = reader(env, q('via'));
      const n = Number(q('n'));
      const objects = Number(q('objects'));
      const parallel = Number(q('parallel') || '1');
      const t0 = performance.now();
      for (let i = 0; i < n; i += parallel) {
        await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, (_, j) => read((i + j) % objects)));
      }
      return Response.json({ ms: performance.now() - t0 });
    }
    return new Response('not found', { status: 404 });
  },
};
`;

async function bundle(dir) {
  const outfile = join(dir, 'index.mjs');
  await build({
    stdin: { contents: WORKER, resolveDir: PROJECT_ROOT, sourcefile: 'bench-do-worker.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['cloudflare:workers'],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const round = (n, d = 2) => Number(n.toFixed(d));
const median = (xs) => percentile([...xs].sort((a, b) => a - b), 50);

function cannon(base, path) {
  const latencies = [];
  return new Promise((resolve, reject) => {
    const inst = autocannon({ url: `${base.origin}${path}`, connections: 10, duration: opts.durationS }, (err, result) => {
      if (err) return reject(err);
      const sorted = Float64Array.from(latencies).sort();
      resolve({ rps: round(latencies.length / result.duration, 0), p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), errors: result.errors + result.non2xx });
    });
    inst.on('response', (_c, _s, _b, t) => latencies.push(t));
  });
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'edgebid-bench-do-'));
  const { Miniflare } = await import('miniflare');
  let mf;
  const hard = setTimeout(() => {
    console.error('bench:do: gave up');
    void (mf?.dispose() ?? Promise.resolve()).finally(() => process.exit(1));
  }, HARD_TIMEOUT_MS);
  try {
    const script = await bundle(dir);
    mf = new Miniflare({
      modules: true,
      modulesRoot: dir,
      scriptPath: script,
      compatibilityDate: '2026-04-01',
      compatibilityFlags: ['nodejs_compat'],
      durableObjects: { NATIVE: { className: 'NativeProfile', useSQLite: true }, ITTY: { className: 'IttyProfile', useSQLite: true } },
      defaultPersistRoot: join(dir, 'state'),
      host: '127.0.0.1',
      port: 0,
    });
    const base = await mf.ready;
    if (base.hostname !== '127.0.0.1') throw new Error(`worker on ${base.hostname}`);
    const results = [];
    for (const [label, payload] of Object.entries(PAYLOADS)) {
      const bytes = JSON.stringify(payload).length;
      log(`${label} payload (${bytes} bytes): seeding ${OBJECTS} objects of each class`);
      const seeded = await fetch(new URL(`/seed?objects=${OBJECTS}`, base), { method: 'POST', body: JSON.stringify(payload) });
      if (seeded.status !== 204) throw new Error(`seeding answered ${seeded.status}: ${await seeded.text()}`);
      for (const via of VIAS) {
        for (const u of [0, OBJECTS - 1]) {
          const got = await (await fetch(new URL(`/read?via=${via}&u=${u}`, base))).json();
          if (JSON.stringify(got) !== JSON.stringify(payload)) throw new Error(`${via} read a different payload`);
        }
      }
      const loops = Object.fromEntries(VIAS.map((v) => [v, { sequential: [], parallel: [] }]));
      for (let round_ = 0; round_ < ROUNDS; round_++) {
        for (const via of VIAS) {
          for (const [kind, parallel] of [['sequential', 1], ['parallel', 10]]) {
            const r = await (await fetch(new URL(`/loop?via=${via}&n=${LOOP_CALLS}&objects=${OBJECTS}&parallel=${parallel}`, base))).json();
            loops[via][kind].push((r.ms * 1000) / LOOP_CALLS);
          }
        }
      }
      log(`${label}: HTTP at 10 connections, ${opts.durationS} s per route`);
      const http = { noop: await cannon(base, '/noop') };
      // One object for every way, so each route reads the same warm object.
      for (const via of VIAS) http[via] = await cannon(base, `/read?via=${via}&u=7`);
      for (const via of VIAS) {
        results.push({
          payload: label,
          payloadBytes: bytes,
          via,
          inWorkerUsPerCall: round(median(loops[via].sequential), 1),
          inWorkerUsPerCallParallel10: round(median(loops[via].parallel), 1),
          httpRps: http[via].rps,
          httpP50Ms: http[via].p50Ms,
          httpP99Ms: http[via].p99Ms,
          httpRpsRatioToNoop: round(http[via].rps / http.noop.rps),
          httpErrors: http[via].errors,
          noopRps: http.noop.rps,
        });
      }
    }
    const meta = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`, node: process.version, loadAverage1m: round(loadavg()[0]), objects: OBJECTS, loopCalls: LOOP_CALLS, rounds: ROUNDS };
    if (opts.json) out(JSON.stringify({ results, meta }, null, 2));
    else {
      out(`Durable Object access, ${meta.date}, ${meta.machine}, 1-min load average ${meta.loadAverage1m}`);
      out('');
      out('| payload | via | in-worker µs/call | µs/call, 10 at a time | HTTP req/s (c=10) | p50 ms | p99 ms | req/s ÷ no-op |');
      out('| --- | --- | --- | --- | --- | --- | --- | --- |');
      for (const r of results) out(`| ${r.payload} | ${r.via} | ${r.inWorkerUsPerCall} | ${r.inWorkerUsPerCallParallel10} | ${r.httpRps} | ${r.httpP50Ms} | ${r.httpP99Ms} | ${r.httpRpsRatioToNoop} |`);
    }
    return 0;
  } finally {
    clearTimeout(hard);
    // A worker that failed to start may fail to dispose too: the directory goes either way.
    await mf?.dispose().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`bench:do: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
