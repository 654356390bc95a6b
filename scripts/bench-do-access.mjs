// `npm run bench:do [-- --duration <s>] [--json] [--no-activation] [--activation-objects <n>]`:
// how the hot path should call the user's Durable Object — itty-durable (named in the original
// design card) against native Workers RPC — measured on the same profile read and payload, and
// what a read costs when the object is not in memory (README, "Speed").
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
// Then the activation section (native RPC, a third class built like src/objects/user-profile.ts:
// synchronous storage reads in the constructor, no write on activation), inside the worker, n reads
// back to back, on fresh object names each round: never-written objects read (each read creates
// the object) and read again at once; new objects written (the snapshot put) and read warm; the
// last round's written objects read again after every object has been idle long enough for workerd
// to evict it (10 s locally; Cloudflare 70–140 s); and the first round's read by a fresh workerd
// on the same persisted state. A constructor counter and a per-activation token say how many
// objects each row really activated: the warm rows must activate none, the idle row should
// activate every object (reported, not assumed).
// Local objects run in the same workerd process as the caller, so this measures what the access
// layer and activation cost (serialisation, proxies, request/response objects, opening an object's
// SQLite database), not the network hop a deployed object adds. Bounded (under two minutes by
// default); traffic to 127.0.0.1 only.
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
const ACTIVATION_ROUNDS = 3;
// workerd evicts an object idle for 10 s; the margin covers its eviction sweep.
const IDLE_MS = 12_000;

function parseArgs(argv) {
  const o = { durationS: 5, json: false, activation: true, activationObjects: 300 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') o.json = true;
    else if (argv[i] === '--no-activation') o.activation = false;
    else if (argv[i] === '--duration') {
      o.durationS = Number(argv[++i]);
      if (!Number.isInteger(o.durationS) || o.durationS < 1 || o.durationS > 20) usage('--duration must be 1..20');
    } else if (argv[i] === '--activation-objects') {
      o.activationObjects = Number(argv[++i]);
      if (!Number.isInteger(o.activationObjects) || o.activationObjects < 10 || o.activationObjects > 1_000) usage('--activation-objects must be 10..1000');
    } else usage(`unknown option ${argv[i]}`);
  }
  return o;
}

function usage(problem) {
  console.error(`bench:do: ${problem}\nusage: node scripts/bench-do-access.mjs [--duration <s>] [--json] [--no-activation] [--activation-objects <n>]`);
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

// Objects of this class run in the worker's isolate; the counter is read around each timed loop.
let activations = 0;

// Built like src/objects/user-profile.ts on activation: the keys it reads synchronously from the
// SQLite-backed KV API in its constructor, nothing written until a write call.
export class ActivationProfile extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    activations++;
    this.token = crypto.randomUUID();
    this.userHash = ctx.storage.kv.get('userHash');
    this.identity = ctx.storage.kv.get('identity') ?? { aliases: [] };
    this.snapshot = ctx.storage.kv.get('snapshot') ?? null;
  }
  async getSnapshot() { return this.snapshot; }
  async put(snapshot) { this.snapshot = snapshot; this.ctx.storage.kv.put('snapshot', snapshot); return true; }
  activationToken() { return this.token; }
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
    if (url.pathname === '/activation') {
      const prefix = q('prefix');
      const n = Number(q('n'));
      const stub = (i) => env.ACTIVE.get(env.ACTIVE.idFromName(prefix + '-' + i));
      if (q('op') === 'tokens') {
        const tokens = [];
        for (let i = 0; i < n; i++) tokens.push(await stub(i).activationToken());
        return Response.json({ tokens });
      }
      const snapshot = q('op') === 'put' ? await request.json() : null;
      const before = activations;
      let missing = 0;
      const t0 = performance.now();
      if (snapshot !== null) for (let i = 0; i < n; i++) await stub(i).put(snapshot);
      else for (let i = 0; i < n; i++) if ((await stub(i).getSnapshot()) === null) missing++;
      const ms = performance.now() - t0;
      return Response.json({ ms, missing, activated: activations - before });
    }
    if (url.pathname === '/activation-read') return Response.json(await env.ACTIVE.get(env.ACTIVE.idFromName(q('prefix') + '-' + q('u'))).getSnapshot());
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function getJson(base, path, init) {
  const res = await fetch(new URL(path, base), init);
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** One timed loop over n objects named `<prefix>-<i>`; checks what each read found. */
async function activationLoop(base, op, prefix, n, { expectMissing }) {
  const init = op === 'put' ? { method: 'POST', body: JSON.stringify(PAYLOADS['1 KB']) } : undefined;
  const r = await getJson(base, `/activation?op=${op}&prefix=${prefix}&n=${n}`, init);
  if (op === 'read' && r.missing !== (expectMissing ? n : 0)) throw new Error(`${prefix}: ${r.missing} of ${n} reads found no snapshot (expected ${expectMissing ? n : 0})`);
  return { usPerCall: (r.ms * 1000) / n, activated: r.activated };
}

async function assertSnapshot(base, prefix, u) {
  const got = await getJson(base, `/activation-read?prefix=${prefix}&u=${u}`);
  if (JSON.stringify(got) !== JSON.stringify(PAYLOADS['1 KB'])) throw new Error(`${prefix}-${u} read a different payload`);
}

const tokensOf = async (base, prefix, n) => (await getJson(base, `/activation?op=tokens&prefix=${prefix}&n=${n}`)).tokens;

function activationRow(key, label, samples) {
  return { key, label, usPerCall: round(median(samples.map((s) => s.usPerCall)), 1), roundsUs: samples.map((s) => round(s.usPerCall, 1)), activated: samples.map((s) => s.activated) };
}

/** Rows 1–5 of the activation section, on the running worker (fresh names per round). */
async function activationInProcess(base, n) {
  const samples = { newRead: [], newReread: [], firstWrite: [], writtenWarm: [] };
  for (let r = 0; r < ACTIVATION_ROUNDS; r++) {
    samples.newRead.push(await activationLoop(base, 'read', `new${r}`, n, { expectMissing: true }));
    samples.newReread.push(await activationLoop(base, 'read', `new${r}`, n, { expectMissing: true }));
    samples.firstWrite.push(await activationLoop(base, 'put', `w${r}`, n, {}));
    samples.writtenWarm.push(await activationLoop(base, 'read', `w${r}`, n, { expectMissing: false }));
  }
  const last = `w${ACTIVATION_ROUNDS - 1}`;
  await assertSnapshot(base, last, n - 1);
  const before = await tokensOf(base, last, n);
  log(`activation: every object idle for ${IDLE_MS / 1000} s (workerd evicts after 10 s)`);
  await sleep(IDLE_MS);
  const idle = await activationLoop(base, 'read', last, n, { expectMissing: false });
  const after = await tokensOf(base, last, n);
  const reactivated = after.filter((t, i) => t !== before[i]).length;
  return {
    rows: [
      activationRow('neverWrittenFirstRead', 'never-written object, first read (creates it)', samples.newRead),
      activationRow('neverWrittenReadAgain', 'never-written object, read again at once', samples.newReread),
      activationRow('firstWrite', 'new object, first write (put of the snapshot)', samples.firstWrite),
      activationRow('writtenWarm', 'written object, warm read', samples.writtenWarm),
      { ...activationRow('writtenAfterIdle', `written object, read after ${IDLE_MS / 1000} s idle`, [idle]), reactivatedByToken: reactivated },
    ],
  };
}

/** Row 6: a fresh workerd on the same persisted state reads the first round's written objects. */
async function activationFreshProcess(base, n) {
  // Warm the new isolate and the namespace on an object this row does not time.
  await (await fetch(new URL('/noop', base))).text();
  await assertSnapshot(base, 'w1', 0);
  const fresh = await activationLoop(base, 'read', 'w0', n, { expectMissing: false });
  await assertSnapshot(base, 'w0', n - 1);
  return activationRow('writtenFreshProcess', 'written object, first read by a fresh workerd process', [fresh]);
}

async function main() {
  const loadAtStart = round(loadavg()[0]);
  const dir = await mkdtemp(join(tmpdir(), 'edgebid-bench-do-'));
  const { Miniflare } = await import('miniflare');
  let mf;
  const hard = setTimeout(() => {
    console.error('bench:do: gave up');
    void (mf?.dispose() ?? Promise.resolve()).finally(() => process.exit(1));
  }, HARD_TIMEOUT_MS);
  try {
    const script = await bundle(dir);
    const start = async () => {
      mf = new Miniflare({
        modules: true,
        modulesRoot: dir,
        scriptPath: script,
        compatibilityDate: '2026-04-01',
        compatibilityFlags: ['nodejs_compat'],
        durableObjects: {
          NATIVE: { className: 'NativeProfile', useSQLite: true },
          ITTY: { className: 'IttyProfile', useSQLite: true },
          ACTIVE: { className: 'ActivationProfile', useSQLite: true },
        },
        defaultPersistRoot: join(dir, 'state'),
        host: '127.0.0.1',
        port: 0,
      });
      const url = await mf.ready;
      if (url.hostname !== '127.0.0.1') throw new Error(`worker on ${url.hostname}`);
      return url;
    };
    let base = await start();
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
    let activation = null;
    if (opts.activation) {
      const n = opts.activationObjects;
      log(`activation: ${n} objects per row, ${ACTIVATION_ROUNDS} rounds`);
      const { rows } = await activationInProcess(base, n);
      log('activation: a fresh workerd on the same state');
      await mf.dispose();
      mf = undefined;
      base = await start();
      rows.push(await activationFreshProcess(base, n));
      const warm = rows.find((r) => r.key === 'writtenWarm').usPerCall;
      for (const r of rows) r.ratioToWarmRead = round(r.usPerCall / warm, 1);
      activation = { via: 'native', payload: '1 KB', payloadBytes: JSON.stringify(PAYLOADS['1 KB']).length, objects: n, rounds: ACTIVATION_ROUNDS, idleSeconds: IDLE_MS / 1000, rows };
    }
    const meta = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`, node: process.version, loadAverage1mAtStart: loadAtStart, loadAverage1m: round(loadavg()[0]), objects: OBJECTS, loopCalls: LOOP_CALLS, rounds: ROUNDS };
    if (opts.json) out(JSON.stringify({ results, activation, meta }, null, 2));
    else {
      out(`Durable Object access, ${meta.date}, ${meta.machine}, 1-min load average ${meta.loadAverage1mAtStart} → ${meta.loadAverage1m}`);
      out('');
      out('| payload | via | in-worker µs/call | µs/call, 10 at a time | HTTP req/s (c=10) | p50 ms | p99 ms | req/s ÷ no-op |');
      out('| --- | --- | --- | --- | --- | --- | --- | --- |');
      for (const r of results) out(`| ${r.payload} | ${r.via} | ${r.inWorkerUsPerCall} | ${r.inWorkerUsPerCallParallel10} | ${r.httpRps} | ${r.httpP50Ms} | ${r.httpP99Ms} | ${r.httpRpsRatioToNoop} |`);
      if (activation) {
        out('');
        out(`Object activation: native RPC, ${activation.payload} snapshot, ${activation.objects} objects read (or written) back to back inside the worker; median of ${activation.rounds} rounds, the last two rows once`);
        out('');
        out('| row | µs per call | ÷ warm read | rounds, µs | objects activated |');
        out('| --- | ---: | ---: | --- | --- |');
        for (const r of activation.rows) {
          const act = r.activated.join(', ') + (r.reactivatedByToken === undefined ? '' : ` (${r.reactivatedByToken} by token)`);
          out(`| ${r.label} | ${r.usPerCall} | ${r.ratioToWarmRead} | ${r.roundsUs.join(', ')} | ${act} |`);
        }
      }
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
