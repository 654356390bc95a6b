// `npm run bench:http [-- --duration <s>] [-- --quick] [-- --json]`: HTTP benchmark of the REAL worker,
// local only.
//
// Starts the worker in-process the way `npm run conformance` does (wrangler 4's unstable_startWorker,
// local workerd with local KV / Durable Objects / Queues, throwaway state directory, 127.0.0.1 on a
// random port, no inspector, no watching, offline), publishes the demo catalog (DEMO_CATALOG=on),
// seeds a few cart abandoners through POST /v1/events and waits (bounded) until a bid for each of
// them returns Acme's retargeting line item, checks every scenario once, warms up, then drives
// each scenario with autocannon for a fixed duration at concurrency 1, then all of them again at
// concurrency 16:
//
//   baseline          GET /healthz (the do-nothing route: routing, JSON, no storage)
//   bid-unknown-user  POST /openrtb2/bid, the demo 300x250 request, a new random user.id per
//                     request → 200 prospecting; one Durable Object read per request (a new object
//                     each time)
//   bid-known-user    the same, user.id cycling over the seeded users → 200 retargeting
//   bid-contextual    the same as bid-unknown-user with regs.coppa=1: no profile read at all
//   no-bid            test/fixtures/bid-unservable-size.json → 204 (one DO read, always the same user)
//
// PROFILE_BUDGET_CEILING_MS stays at wrangler.toml's value (30 ms): the profile read is raced
// against it, so under load some answers fall back to the KV snapshot (`kv`) or to no profile
// (`none`); the split (X-Edgebid-Profile-Source of every answer) is part of the result.
//
// Absolute times on a shared box are noise: every figure is reported next to the baseline measured
// in the same run at the same concurrency (ratios). Latency percentiles are computed from every
// response's own timing (autocannon's histogram has 1 ms resolution); req/s = responses / elapsed.
// Errors = non-2xx answers + connection errors + timeouts. The load generator runs in this Node
// process, next to wrangler; the request path is Node (autocannon) → wrangler's proxy worker →
// the worker, the same for every scenario, baseline included.
//
// Bounded: --duration (default 8 s, at most 15) per scenario and concurrency, --quick = 2 s (smoke
// run); a hard overall timeout; the worker is always stopped (error, timeout, SIGINT/SIGTERM).
// Traffic goes to 127.0.0.1 only. Prints a table (progress on stderr); --json prints
// { scenarios: [...], meta: {...} } on stdout. Exits 1 if the start, a check or the run fails
// (errors counted during a complete run are figures, reported, not a failure). wrangler also reads
// .dev.vars next to wrangler.toml; the vars set here win, and a .dev.vars that sets a tuning var
// (e.g. PROFILE_BUDGET_CEILING_MS) is warned about.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { authHeaders, LOCAL_AUTH_VARS } from './lib/local-auth.mjs';
import { PROJECT_ROOT, startLocalWorker } from './lib/local-worker.mjs';


const VARS = { USER_KEY_SECRET: 'bench-user-key-secret', TRACKING_SECRET: 'bench-tracking-secret', DEMO_CATALOG: 'on', EXPLAIN: 'on', ...LOCAL_AUTH_VARS };
const CONCURRENCIES = [1, 16];
const DEFAULT_DURATION_S = 8;
const QUICK_DURATION_S = 2;
const MAX_DURATION_S = 15;
/** Warm-up per scenario, not recorded. */
const WARMUP_S = 1;
const WARMUP_CONCURRENCY = 4;
const KNOWN_USERS = 8;
const SEED_WAIT_MS = 30_000;
/** Allowance for start, seeding, checks and stop on top of the timed runs. */
const OVERHEAD_MS = 60_000;
const REQUEST_TIMEOUT_S = 5;
const PAUSE_MS = 300;
const RETARGETING = 'li-acme-cart-retargeting';
const PROSPECTING = 'li-acme-prospecting';
const SOURCES = ['do', 'kv', 'none'];

function parseArgs(argv) {
  const opts = { durationS: DEFAULT_DURATION_S, json: false, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--quick') opts.quick = true;
    else if (a === '--duration' || a.startsWith('--duration=')) {
      const raw = a === '--duration' ? argv[++i] : a.slice('--duration='.length);
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > MAX_DURATION_S) usage(`--duration must be a whole number of seconds, 1..${MAX_DURATION_S}`);
      opts.durationS = n;
    } else if (a === '--help' || a === '-h') usage();
    else usage(`unknown option ${a}`);
  }
  if (opts.quick) opts.durationS = QUICK_DURATION_S;
  return opts;
}

function usage(problem) {
  if (problem) console.error(`bench: ${problem}`);
  console.error(`usage: node scripts/bench.mjs [--duration <s>] [--quick] [--json]`);
  process.exit(problem ? 2 : 0);
}

const opts = parseArgs(process.argv.slice(2));
const log = (msg) => {
  console.error(`bench: ${msg}`);
};
/** Our results are the only thing on stdout (so `--json` output parses). */
const out = (line = '') => {
  process.stdout.write(`${line}\n`);
};
// wrangler and miniflare log through the console whatever the log level (e.g. "[wrangler:info] QUEUE
// profile-events 8/8" from the local queue consumer): send all of it to stderr.
for (const m of /** @type {const} */ (['log', 'info', 'debug', 'warn'])) {
  console[m] = (...args) => {
    console.error(...args);
  };
}

// ---------------------------------------------------------------------------------------------
// Requests

const fixture = (name) => readFileSync(join(PROJECT_ROOT, 'test/fixtures', name), 'utf8');
const BANNER = JSON.parse(fixture('bid-banner-300x250.json'));
const UNSERVABLE = fixture('bid-unservable-size.json');
const USER_SLOT = '__BENCH_USER__';
// Bodies are built by substituting the user id into a pre-serialised template (cheap per request).
// `buyeruid`: our first-party id space, the one events write to.
const bidTemplate = JSON.stringify({ ...BANNER, user: { buyeruid: USER_SLOT } });
const coppaTemplate = JSON.stringify({ ...BANNER, user: { buyeruid: USER_SLOT }, regs: { coppa: 1 } });
const withUser = (template, userId) => template.replace(USER_SLOT, userId);
const knownUsers = Array.from({ length: KNOWN_USERS }, (_, i) => `bench-known-${i}`);
const anonUser = () => `bench-anon-${randomUUID()}`;
let knownCursor = 0;
const nextKnownUser = () => knownUsers[knownCursor++ % knownUsers.length];

// Every autocannon body goes to /openrtb2/bid: the exchange's credentials.
const JSON_HEADERS = { 'content-type': 'application/json', ...authHeaders('/openrtb2/bid') };

/**
 * name, route, the expected status, how a sanity check recognises a right answer, and the
 * autocannon request (with setupRequest when the body varies per request).
 */
const SCENARIOS = [
  {
    name: 'baseline',
    route: 'GET /healthz',
    expect: { status: 200 },
    bid: false,
    request: { method: 'GET', path: '/healthz' },
    sample: () => ({ method: 'GET', path: '/healthz' }),
  },
  {
    name: 'bid-unknown-user',
    route: 'POST /openrtb2/bid',
    expect: { status: 200, lineItem: PROSPECTING, source: 'do' },
    bid: true,
    request: varying(() => withUser(bidTemplate, anonUser())),
    sample: () => post('/openrtb2/bid', withUser(bidTemplate, anonUser())),
  },
  {
    name: 'bid-known-user',
    route: 'POST /openrtb2/bid',
    expect: { status: 200, lineItem: RETARGETING, source: 'do' },
    bid: true,
    request: varying(() => withUser(bidTemplate, nextKnownUser())),
    sample: () => post('/openrtb2/bid', withUser(bidTemplate, nextKnownUser())),
  },
  {
    name: 'bid-contextual',
    route: 'POST /openrtb2/bid',
    expect: { status: 200, lineItem: PROSPECTING, source: 'none' },
    bid: true,
    request: varying(() => withUser(coppaTemplate, anonUser())),
    sample: () => post('/openrtb2/bid', withUser(coppaTemplate, anonUser())),
  },
  {
    name: 'no-bid',
    route: 'POST /openrtb2/bid',
    expect: { status: 204, noBid: 'no_creative_fits' },
    bid: true,
    request: { method: 'POST', path: '/openrtb2/bid', headers: JSON_HEADERS, body: UNSERVABLE },
    sample: () => post('/openrtb2/bid', UNSERVABLE),
  },
];

function varying(makeBody) {
  return {
    method: 'POST',
    path: '/openrtb2/bid',
    headers: JSON_HEADERS,
    setupRequest: (req) => ({ ...req, body: makeBody() }),
  };
}

function post(path, body) {
  return { method: 'POST', path, body };
}

// ---------------------------------------------------------------------------------------------
// The worker

/** @type {() => Promise<void>} */
let stopWorker = () => Promise.resolve();

/** Starts the worker (scripts/lib/local-worker.mjs) and makes stopWorker() able to stop it. */
async function startWorker() {
  const worker = startLocalWorker({ vars: VARS, tag: 'bench' });
  stopWorker = worker.stop;
  return worker.ready;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

async function call(base, { method, path, body }) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: body ? { ...JSON_HEADERS, ...authHeaders(path) } : undefined,
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_S * 1000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, json, headers: res.headers };
}

const lineItemOf = (json) => json?.seatbid?.[0]?.bid?.[0]?.ext?.edgebid?.lineItemId;

/** Why a sample answer is not what the scenario expects, or null. */
function mismatch(expect, r) {
  if (r.status !== expect.status) return `status ${r.status}, expected ${expect.status}`;
  if (expect.lineItem && lineItemOf(r.json) !== expect.lineItem) return `line item ${lineItemOf(r.json)}, expected ${expect.lineItem}`;
  const source = r.headers.get('x-edgebid-profile-source');
  if (expect.source && source !== expect.source) return `profile source ${source}, expected ${expect.source}`;
  const noBid = r.headers.get('x-edgebid-no-bid') ?? '';
  if (expect.noBid && !noBid.split(',').includes(expect.noBid)) return `X-Edgebid-No-Bid "${noBid}", expected ${expect.noBid}`;
  return null;
}

async function seedKnownUsers(base) {
  const runId = randomUUID();
  const now = Date.now();
  const events = knownUsers.map((userKey, i) => ({
    id: `bench-${runId}-${i}`,
    type: 'add_to_cart',
    userKey,
    ts: now,
    advertiserId: 'adv-acme',
    productId: 'tent-2p',
    value: 249,
  }));
  const res = await call(base, post('/v1/events', JSON.stringify({ events })));
  if (res.status !== 202) throw new Error(`seeding: POST /v1/events answered ${res.status}, expected 202`);
  // Wait until every seeded user's bid comes back retargeted: the queue consumer has applied the events.
  const pending = new Set(knownUsers);
  const deadline = Date.now() + SEED_WAIT_MS;
  while (pending.size > 0) {
    if (Date.now() > deadline) {
      throw new Error(`seeding: ${pending.size} of ${knownUsers.length} seeded users still not retargeted after ${SEED_WAIT_MS / 1000} s`);
    }
    for (const user of [...pending]) {
      const r = await call(base, post('/openrtb2/bid', withUser(bidTemplate, user)));
      if (r.status === 200 && lineItemOf(r.json) === RETARGETING) pending.delete(user);
    }
    if (pending.size > 0) await sleep(250);
  }
  return Date.now() - now;
}

/** One request per scenario, answer checked: a wrong answer would make its figures meaningless. */
async function checkScenarios(base) {
  for (const s of SCENARIOS) {
    const r = await call(base, s.sample());
    const why = mismatch(s.expect, r);
    if (why) throw new Error(`check ${s.name}: ${why}`);
  }
}

let current = null;

/** One autocannon run; resolves with its raw result plus every latency and the profile sources. */
function cannon(base, scenario, connections, durationS) {
  const latencies = [];
  const sources = { do: 0, kv: 0, none: 0, other: 0 };
  const statuses = {};
  /** The first few non-2xx answers, for the notes. */
  const failures = [];
  const onResponse = (status, body, _ctx, headers) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if ((status < 200 || status > 299) && failures.length < 3) failures.push(`${status} ${String(body).replace(/\s+/g, ' ').slice(0, 160)}`);
    if (!scenario.bid) return;
    const v = headers['x-edgebid-profile-source'] ?? headers['X-Edgebid-Profile-Source'];
    if (v === undefined) return;
    if (SOURCES.includes(v)) sources[v]++;
    else sources.other++;
  };
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: base.origin,
        connections,
        duration: durationS,
        timeout: REQUEST_TIMEOUT_S,
        requests: [{ ...scenario.request, onResponse }],
      },
      (err, result) => {
        current = null;
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve({ result, latencies, sources, statuses, failures });
      },
    );
    inst.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
    current = inst;
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const round = (n, digits) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

function summarise(scenario, connections, run) {
  const sorted = Float64Array.from(run.latencies).sort();
  const { result } = run;
  return {
    name: scenario.name,
    mode: 'wrangler',
    route: scenario.route,
    concurrency: connections,
    rps: round(run.latencies.length / result.duration, 1),
    p50Ms: round(percentile(sorted, 50), 2),
    p90Ms: round(percentile(sorted, 90), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    maxMs: round(sorted.length ? sorted[sorted.length - 1] : NaN, 2),
    errors: result.non2xx + result.errors,
    profileSources: scenario.bid ? { do: run.sources.do, kv: run.sources.kv, none: run.sources.none } : null,
    ratioToBaseline: { rps: null, p50: null },
    // Not in the JSON: for the notes.
    _statuses: run.statuses,
    _failures: run.failures,
    _timeouts: result.timeouts,
    _otherSources: run.sources.other,
    _expect: scenario.expect,
  };
}

async function countProfileObjects(persistDir) {
  // Local Durable Object storage: one SQLite file per object under <persist>/v3/do/<script>-<class>/.
  const root = join(persistDir, 'v3', 'do');
  if (!existsSync(root)) return null;
  let n = 0;
  for (const dir of await readdir(root)) {
    if (!dir.endsWith('UserProfile')) continue;
    n += (await readdir(join(root, dir))).filter((f) => f.endsWith('.sqlite')).length;
  }
  return n;
}

function devVarsOverrides() {
  const p = join(PROJECT_ROOT, '.dev.vars');
  if (!existsSync(p)) return [];
  const names = ['PROFILE_BUDGET_CEILING_MS', 'NETWORK_RESERVE_MS', 'CATALOG_REFRESH_SEC'];
  const text = readFileSync(p, 'utf8');
  return names.filter((n) => new RegExp(`^\\s*${n}\\s*=`, 'm').test(text));
}

// ---------------------------------------------------------------------------------------------
// Output

function printTable(rows, meta) {
  const head = ['scenario', 'conc', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'do/kv/none', 'req/s ÷ base', 'p50 ÷ base'];
  const fmt = (n, d) => (n === null ? '-' : n.toFixed(d));
  const cells = rows.map((r) => [
    r.name,
    String(r.concurrency),
    fmt(r.rps, 0),
    fmt(r.p50Ms, 2),
    fmt(r.p90Ms, 2),
    fmt(r.p99Ms, 2),
    fmt(r.maxMs, 1),
    String(r.errors),
    r.profileSources ? SOURCES.map((s) => r.profileSources[s]).join('/') : '-',
    fmt(r.ratioToBaseline.rps, 2),
    fmt(r.ratioToBaseline.p50, 2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  out(
    `edgebid bench: wrangler ${meta.wrangler} local (workerd), ${meta.durationSec} s per scenario, ` +
      `Node ${meta.node}, ${meta.cpus} CPUs; PROFILE_BUDGET_CEILING_MS from wrangler.toml`,
  );
  out('');
  out(line(head));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  let last = rows[0]?.concurrency;
  for (const [i, c] of cells.entries()) {
    if (rows[i].concurrency !== last) out();
    last = rows[i].concurrency;
    out(line(c));
  }
  out('');
  out('÷ base: ratio to the baseline (GET /healthz) at the same concurrency in this run. do/kv/none: where each');
  out('answer\'s profile came from (X-Edgebid-Profile-Source of every response).');
}

function notes(rows, meta) {
  const out = [];
  out.push(`seeded ${meta.seededUsers} cart abandoners; every one retargeted ${meta.profileVisibleAfterMs} ms after POST /v1/events`);
  if (meta.userProfileObjects !== null) out.push(`UserProfile Durable Objects with storage at the end of the run: ${meta.userProfileObjects}`);
  for (const r of rows) {
    const unexpected = Object.entries(r._statuses).filter(([st]) => Number(st) !== r._expect.status);
    if (unexpected.length > 0) out.push(`${r.name} c=${r.concurrency}: unexpected statuses ${unexpected.map(([st, n]) => `${st}×${n}`).join(', ')}`);
    for (const f of r._failures) out.push(`${r.name} c=${r.concurrency}: non-2xx answer: ${f}`);
    if (r._timeouts > 0) out.push(`${r.name} c=${r.concurrency}: ${r._timeouts} timeouts`);
    if (r._otherSources > 0) out.push(`${r.name} c=${r.concurrency}: ${r._otherSources} answers with an unknown profile source`);
    if (r.profileSources && r._expect.source === 'do') {
      const total = SOURCES.reduce((a, s) => a + r.profileSources[s], 0);
      const off = total - r.profileSources.do;
      if (off > 0) {
        out.push(
          `${r.name} c=${r.concurrency}: ${off} of ${total} answers (${((100 * off) / total).toFixed(1)} %) missed the Durable Object ` +
            `deadline (kv ${r.profileSources.kv}, none ${r.profileSources.none})`,
        );
      }
    }
  }
  for (const n of meta.devVarsOverrides) out.push(`warning: .dev.vars sets ${n}; wrangler applies it to this run`);
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const hardTimeoutMs = OVERHEAD_MS + SCENARIOS.length * CONCURRENCIES.length * (opts.durationS + 2) * 1000 + SCENARIOS.length * (WARMUP_S + 1) * 1000;
  const timeout = setTimeout(() => {
    console.error(`bench: gave up after ${Math.round(hardTimeoutMs / 1000)} s`);
    process.exitCode = 1;
    current?.stop();
    void stopWorker().finally(() => process.exit(1));
  }, hardTimeoutMs);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      // Set first: wrangler's own signal listener may call process.exit() before we are done.
      process.exitCode = 130;
      current?.stop();
      void stopWorker().finally(() => process.exit(130));
    });
  }

  try {
    const overrides = devVarsOverrides();
    for (const n of overrides) log(`warning: .dev.vars sets ${n}, which wrangler applies to this run`);
    log(`starting the worker (local, ${opts.durationS} s per scenario, concurrency ${CONCURRENCIES.join(' then ')})`);
    const worker = await startWorker();
    const base = worker.url;
    if (base.hostname !== '127.0.0.1') throw new Error(`worker is on ${base.hostname}, expected 127.0.0.1`);
    log(`worker up at ${base.origin}; seeding ${KNOWN_USERS} cart abandoners`);
    const profileVisibleAfterMs = await seedKnownUsers(base);
    log(`seeded users retargeted after ${profileVisibleAfterMs} ms; checking every scenario once`);
    await checkScenarios(base);

    log(`warming up (${WARMUP_S} s per scenario at concurrency ${WARMUP_CONCURRENCY})`);
    for (const s of SCENARIOS) {
      const w = await cannon(base, s, WARMUP_CONCURRENCY, WARMUP_S);
      if (w.result.non2xx + w.result.errors > 0) throw new Error(`warm-up ${s.name}: ${w.result.non2xx} non-2xx, ${w.result.errors} errors`);
    }

    const rows = [];
    for (const connections of CONCURRENCIES) {
      for (const s of SCENARIOS) {
        await sleep(PAUSE_MS);
        log(`${s.name} at concurrency ${connections} for ${opts.durationS} s`);
        rows.push(summarise(s, connections, await cannon(base, s, connections, opts.durationS)));
      }
    }
    for (const r of rows) {
      const b = rows.find((x) => x.name === 'baseline' && x.concurrency === r.concurrency);
      r.ratioToBaseline = {
        rps: b && b.rps ? round(r.rps / b.rps, 2) : null,
        p50: b && b.p50Ms ? round(r.p50Ms / b.p50Ms, 2) : null,
      };
    }

    const meta = {
      durationSec: opts.durationS,
      concurrencies: CONCURRENCIES,
      wrangler: JSON.parse(await readFile(join(PROJECT_ROOT, 'node_modules/wrangler/package.json'), 'utf8')).version,
      node: process.version,
      cpus: cpus().length,
      seededUsers: KNOWN_USERS,
      profileVisibleAfterMs,
      userProfileObjects: await countProfileObjects(worker.persistDir),
      devVarsOverrides: overrides,
    };
    const publicRows = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('_'))));
    if (opts.json) {
      out(JSON.stringify({ scenarios: publicRows, meta }, null, 2));
      for (const n of notes(rows, meta)) log(n);
    } else {
      printTable(rows, meta);
      out('');
      for (const n of notes(rows, meta)) out(`- ${n}`);
    }
    // A complete run exits 0 even with errors: they are figures (errors column, notes), not a failure of the bench.
    return 0;
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    clearTimeout(timeout);
    log('stopping the worker');
    await stopWorker();
  }
}

process.exitCode = await main();
// wrangler can leave handles open after dispose; the run is over either way.
process.exit(process.exitCode);
