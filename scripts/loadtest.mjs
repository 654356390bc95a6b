// `npm run loadtest [-- --direct | --url <http://127.0.0.1:port>] [--json] [--smoke] [--soak <s>]`
//
// Load test of the real worker on this machine (README, "Speed"): what a decision costs on top of
// the Workers runtime itself, how the tail behaves, where the time goes and what it costs.
//
// 1. Starts the worker: under wrangler (unstable_startWorker: `wrangler dev`'s proxy in front of
//    the worker; the default), or with --direct the production bundle in Miniflare serving a local
//    port itself, or --url a worker already running (`npm start`; nothing is published there and
//    the population is only seeded with --seed-url-users). 127.0.0.1 only.
// 2. Publishes a catalog of realistic size (--line-items, default 10,000: the engine's synthetic
//    generator, segments mapped onto the seed rules, validated by the worker's own parseCatalog)
//    into KV before the worker serves, then waits for one isolate to load it.
// 3. Seeds a population (--users, default 2,000, ~4.6 events each) through POST /v1/events in
//    batches of 500 and waits until a sample of probe users bids on the probe site: the queue
//    consumer has applied their events. Locally each new user is a new SQLite-backed object and
//    the consumer applies ~50-150 of them a second here, which is what bounds the default.
// 4. Drives, with autocannon, the do-nothing route (`GET /healthz`, the baseline) and the OpenRTB
//    mix (banner / video / native / multi-imp, site and app, with and without consent, known,
//    unknown and id-less users; scripts/lib/loadtest-population.mjs) at concurrency 1, 10 and 50,
//    then both at a fixed rate of half the mix's saturating rate (open loop), then each flavour of
//    the mix alone at concurrency 50. 5 % of bids ask for Server-Timing (`?timing=1`).
// 5. Reads the worker's cost counters (COST_COUNTERS=on, src/http/cost-debug.ts) around the mix
//    and around each flavour: Durable Object calls, KV reads/writes, queue messages per 1,000,000
//    decisions.
// Prints the table, the Server-Timing aggregate, the costs and the issue's goals as measured in
// this run, with the machine, the date and the 1-minute load average at start and end (numbers
// taken on a busy machine are noise; compare within one run). --json prints the same as JSON.
//
// --soak <s> instead runs the mix at half its saturating rate for <s> seconds and reports p99 per
// 30-second window, its drift (last three windows against the first three) and the workerd
// processes' resident memory (found as this process's descendants in /proc) per window.
//
// Bounded: a full run stays under 3 minutes on a quiet 2-core machine (hard stop at 178 s plus the
// soak); --smoke is a CI-sized run (a few thousand requests). The worker is always stopped.
import { readFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { authHeaders, LOCAL_AUTH_VARS } from './lib/local-auth.mjs';
import { PROJECT_ROOT } from './lib/local-worker.mjs';
import { loadCore } from './lib/loadtest-core.mjs';
import { closedLoop, openLoop } from './lib/loadtest-drive.mjs';
import { FLAVOURS, loadtestCatalog, population, PROBE, probeRequest, requestFactory } from './lib/loadtest-population.mjs';
import { costPerMillion, goals, publicRow, relateToBaselines, summarise, tableLines, timingAggregate, timingLines } from './lib/loadtest-report.mjs';
import { freePort, rssMb, startTarget, workerdPids } from './lib/loadtest-worker.mjs';
import { startProfile } from './lib/loadtest-profile.mjs';
import { runSoak, soakLines } from './lib/loadtest-soak.mjs';

const VENDOR_ID = 777;
const COST_PATH = '/v1/admin/debug/costs';
const HARD_LIMIT_S = 178;

const FULL = { users: 2_000, lineItems: 10_000, durationS: 5, concurrencies: [1, 10, 50], flavours: true, seedWaitS: 60 };
const SMOKE = { users: 300, lineItems: 500, durationS: 1, concurrencies: [1, 10], flavours: false, seedWaitS: 45 };

function parseArgs(argv) {
  const o = { mode: 'wrangler', json: false, smoke: false, soakS: 0, seed: 20261123, url: undefined, seedUrlUsers: false };
  const num = (name, raw, min, max) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) usage(`${name} must be a whole number ${min}..${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--json') o.json = true;
    else if (a === '--smoke') o.smoke = true;
    else if (a === '--direct') o.mode = 'direct';
    else if (a === '--url') {
      o.mode = 'url';
      o.url = value();
    } else if (a === '--seed-url-users') o.seedUrlUsers = true;
    else if (a === '--soak') o.soakS = num('--soak', value(), 30, 3600);
    else if (a === '--duration') o.durationS = num('--duration', value(), 1, 30);
    else if (a === '--users') o.users = num('--users', value(), 20, 100_000);
    else if (a === '--line-items') o.lineItems = num('--line-items', value(), 10, 50_000);
    else if (a === '--no-flavours') o.flavours = false;
    else if (a === '--only') {
      o.only = value();
      o.flavours = false;
    }
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--no-costs') o.costs = false;
    else if (a === '--in-memory') o.inMemory = true;
    else if (a === '--keep-objects') o.keepObjects = true;
    else if (a === '--profile') o.profile = true;
    else if (a === '--timing-every') o.timingEvery = num('--timing-every', value(), 1, 1000);
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown option ${a}`);
  }
  const base = o.smoke ? SMOKE : FULL;
  return { ...base, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
}

function usage(problem) {
  if (problem) console.error(`loadtest: ${problem}`);
  console.error(
    'usage: node scripts/loadtest.mjs [--direct | --url http://127.0.0.1:<port> [--seed-url-users]] [--json] [--smoke]\n' +
      '                                 [--soak <s>] [--duration <s>] [--users <n>] [--line-items <n>] [--no-flavours | --only <flavour>]\n' +
      '                                 [--timing-every <n>] [--no-costs] [--verbose] [--direct only: --in-memory, --keep-objects, --profile]',
  );
  process.exit(problem ? 2 : 0);
}

const opts = parseArgs(process.argv.slice(2));
const startedAt = Date.now();
const elapsedS = () => Math.round((Date.now() - startedAt) / 1000);
/**
 * When the measuring must be over so the report still comes out before the hard stop: a busy
 * machine gets a shorter seeding wait and fewer flavour runs (the report says which), not nothing.
 */
const budgetEndMs = () => startedAt + (HARD_LIMIT_S + opts.soakS - 10) * 1000 + Math.max(0, opts.users - FULL.users) * 20;
/** The fixed runs after seeding: warm-up, baseline and mix per concurrency and at the rate, pauses. */
const coreRunsMs = () => (5 + (opts.concurrencies.length * 2 + 2) * (opts.durationS + 0.5) + 6) * 1000;
const log = (msg) => console.error(`loadtest [${elapsedS()} s]: ${msg}`);
const out = (line = '') => process.stdout.write(`${line}\n`);
// wrangler and miniflare log through the console: keep stdout for the report.
for (const m of ['log', 'info', 'debug', 'warn']) console[m] = (...args) => console.error(...args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Credentials: the worker we start gets the scripts' own; a running `npm start` has .dev.vars'.

function devVar(name) {
  const p = join(PROJECT_ROOT, '.dev.vars');
  if (!existsSync(p)) return undefined;
  const m = new RegExp(`^\\s*${name}\\s*=\\s*(.*)$`, 'm').exec(readFileSync(p, 'utf8'));
  return m?.[1]?.trim().replace(/^(['"])(.*)\1$/, '$2');
}

function credentials() {
  if (opts.mode !== 'url') return authHeaders;
  let principals = {};
  try {
    principals = JSON.parse(devVar('AUTH_PRINCIPALS') ?? '{}');
  } catch {
    // reported below as missing tokens
  }
  const tokens = { exchange: principals.exchanges?.[0]?.tokens?.[0], publisher: principals.publishers?.[0]?.tokens?.[0], admin: devVar('ADMIN_TOKEN') };
  if (!tokens.exchange || !tokens.publisher) throw new Error('--url: no exchange / publisher token in .dev.vars (AUTH_PRINCIPALS)');
  return (path) => {
    const p = new URL(path, 'http://local').pathname;
    const t = p === '/healthz' ? undefined : p.startsWith('/openrtb2') ? tokens.exchange : /^\/v1\/(events|decisions)/.test(p) ? tokens.publisher : tokens.admin;
    return t ? { authorization: `Bearer ${t}` } : {};
  };
}

function tcfVendorForUrl() {
  const fromDev = devVar('TCF_VENDOR_ID');
  const fromToml = /^\s*TCF_VENDOR_ID\s*=\s*"(\d+)"/m.exec(readFileSync(join(PROJECT_ROOT, 'wrangler.toml'), 'utf8'))?.[1];
  return Number(fromDev ?? fromToml ?? 0);
}

// ---------------------------------------------------------------------------------------------

let target = { stop: () => Promise.resolve() };
let current = null;

async function call(base, auth, method, path, body) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...auth(path) },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, json, headers: res.headers, text };
}

const probeBids = (r) => r.status === 200 && r.json?.seatbid?.[0]?.bid?.[0]?.crid === PROBE.creativeId;

/**
 * A cold isolate loads the catalog by itself per request until a load lands (src/store/catalog-store.ts),
 * so while a big catalog loads, ask rarely: one bid a second at most.
 */
async function waitForCatalog(base, auth, deadlineMs) {
  for (;;) {
    const r = await call(base, auth, 'POST', '/openrtb2/bid', probeRequest('lt-catalog-warmup-user'));
    const noBid = r.headers.get('x-edgebid-no-bid') ?? '';
    if (r.status === 200 || (r.status === 204 && noBid !== '' && !noBid.includes('no_line_items'))) return;
    if (r.status >= 300 && r.status !== 204) throw new Error(`catalog warm-up: bid answered ${r.status} ${r.text.slice(0, 200)}`);
    if (Date.now() > deadlineMs) throw new Error('the worker did not load the catalog in time');
    await sleep(1_000);
  }
}

async function seedPopulation(base, auth, pop) {
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < pop.batches.length) {
      const batch = pop.batches[next++];
      const r = await call(base, auth, 'POST', '/v1/events', JSON.stringify({ events: batch }));
      if (r.status !== 202) throw new Error(`seeding: POST /v1/events answered ${r.status} ${r.text.slice(0, 200)}`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  const postedMs = Date.now() - t0;
  const pending = new Set(pop.probeUserIds);
  const deadline = Math.min(Date.now() + opts.seedWaitS * 1000, budgetEndMs() - coreRunsMs());
  while (pending.size > 0) {
    // A partly applied population still measures; the report says how much of it was visible.
    if (Date.now() > deadline) break;
    for (const u of [...pending]) if (probeBids(await call(base, auth, 'POST', '/openrtb2/bid', probeRequest(u)))) pending.delete(u);
    if (pending.size > 0) await sleep(500);
  }
  return { postedMs, visibleMs: Date.now() - t0, probesVisible: pop.probeUserIds.length - pending.size, probes: pop.probeUserIds.length };
}

async function costs(base, auth, method) {
  const r = await call(base, auth, method, COST_PATH);
  if (method === 'DELETE') return r.status === 204;
  return r.status === 200 ? r.json : null;
}

function run(gen) {
  current = gen;
  return gen.done.finally(() => {
    current = null;
  });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const auth = credentials();
  const loadStart = loadavg()[0];
  log(`${opts.mode} mode; 1-min load average ${loadStart.toFixed(2)} on ${cpus().length} CPUs`);
  const core = await loadCore();
  const runTag = Date.now().toString(36);
  const ownsWorker = opts.mode !== 'url';
  let catalog = null;
  if (ownsWorker) {
    log(`generating a catalog of ${opts.lineItems} line items`);
    catalog = loadtestCatalog(core, opts.lineItems, opts.seed);
  }
  const vendorId = ownsWorker ? VENDOR_ID : tcfVendorForUrl();
  // COST_COUNTERS wraps the bindings in counting proxies: --no-costs measures without them.
  const vars = { USER_KEY_SECRET: 'loadtest-user-key-secret', TRACKING_SECRET: 'loadtest-tracking-secret', DEMO_CATALOG: 'off', EXPLAIN: 'on', KNOWN_USERS_FILTER: 'on', COST_COUNTERS: opts.costs === false ? 'off' : 'on', TCF_VENDOR_ID: String(VENDOR_ID), ...LOCAL_AUTH_VARS };
  const kvEntries = catalog ? [[`catalog:v:${catalog.doc.version}`, catalog.json], ['catalog:current', String(catalog.doc.version)]] : [];
  log(`starting the worker (${opts.mode})`);
  if (opts.profile && opts.mode !== 'direct') throw new Error('--profile needs --direct (the inspector of the Miniflare worker)');
  const inspectorPort = opts.profile ? await freePort() : undefined;
  target = await startTarget({ mode: opts.mode, vars, kvEntries, url: opts.url, verbose: opts.verbose === true, inMemory: opts.inMemory === true, keepObjects: opts.keepObjects === true, inspectorPort });
  const base = target.url;
  log(`worker at ${base.origin}`);
  if (ownsWorker) {
    await waitForCatalog(base, auth, Date.now() + 60_000);
    log('catalog loaded');
  }

  const advertiserIds = catalog?.advertiserIds ?? ['adv-acme'];
  const pop = population({ users: opts.users, advertiserIds, runTag, seedRng: core.seededRng(opts.seed + 1), nowMs: Date.now() });
  let seeding = null;
  if (ownsWorker) {
    log(`seeding ${opts.users} users (${pop.events} events, ${pop.batches.length} batches)`);
    seeding = await seedPopulation(base, auth, pop);
    log(`seeded: posted in ${seeding.postedMs} ms; ${seeding.probesVisible} of ${seeding.probes} probe users visible after ${seeding.visibleMs} ms`);
    // Write-behind alarms (KV snapshots) of the last users run about a second after their events.
    await sleep(2_000);
  } else if (opts.seedUrlUsers) {
    log(`--url: posting ${pop.events} events for ${opts.users} users (not verified: the running catalog has no probe)`);
    for (const batch of pop.batches) await call(base, auth, 'POST', '/v1/events', JSON.stringify({ events: batch }));
    await sleep(5_000);
  }

  const factory = requestFactory({ seedRng: core.seededRng(opts.seed + 2), knownUserIds: pop.userIds, runTag, vendorId, timingEvery: opts.timingEvery ?? 20 });
  const bidHeaders = { 'content-type': 'application/json', ...auth('/openrtb2/bid') };
  const nextBid = (flavour) => () => {
    const r = factory.next(flavour);
    return { method: 'POST', path: r.timing ? '/openrtb2/bid?timing=1' : '/openrtb2/bid', headers: bidHeaders, body: r.body, tmax: r.tmax, bid: true, timing: r.timing };
  };
  const nextBaseline = () => ({ method: 'GET', path: '/healthz', headers: {}, bid: false });
  const scenario = (name, load) => ({
    name,
    mode: opts.mode,
    route: name === 'baseline' ? 'GET /healthz' : 'POST /openrtb2/bid',
    bid: name !== 'baseline',
    load,
    // --only <flavour>: the "mix" rows are that flavour alone (a diagnostic; the goals are the mix's).
    next: name === 'baseline' ? nextBaseline : nextBid(name === 'mix' ? (opts.only ?? null) : name),
  });
  const rows = [];
  let cpuProfile = null;
  const closed = async (name, concurrency, durationS) => {
    const s = scenario(name, { concurrency });
    log(`${name} at concurrency ${concurrency} for ${durationS} s`);
    // --profile: the isolate's CPU while the mix runs at the highest concurrency.
    const profiling = opts.profile && name === 'mix' && concurrency === Math.max(...opts.concurrencies) ? await startProfile({ inspectorPort, bundlePath: target.bundlePath }) : null;
    const row = summarise(s, await run(closedLoop({ base, connections: concurrency, durationS, next: s.next })));
    if (profiling) cpuProfile = { scenario: `mix c=${concurrency}`, ...(await profiling.stop()) };
    rows.push(row);
    return row;
  };
  const opened = async (name, ratePerSec, durationS) => {
    const s = scenario(name, { ratePerSec });
    log(`${name} at ${ratePerSec} requests/s for ${durationS} s`);
    const row = summarise(s, await run(openLoop({ base, ratePerSec, durationS, next: s.next })));
    rows.push(row);
    return row;
  };

  log('warming up');
  await run(closedLoop({ base, connections: 8, durationS: opts.smoke ? 1 : 3, next: scenario('mix', {}).next }));
  await run(closedLoop({ base, connections: 8, durationS: 1, next: nextBaseline }));

  if (opts.soakS > 0) return soak(base, auth, scenario, loadStart, seeding, catalog);

  const counting = await costs(base, auth, 'DELETE');
  if (!counting) log('cost counters are off on this worker (start it with COST_COUNTERS=on to count)');
  let mix50 = null;
  for (const c of opts.concurrencies) {
    await closed('baseline', c, opts.durationS);
    const m = await closed('mix', c, opts.durationS);
    if (c === Math.max(...opts.concurrencies)) mix50 = m;
  }
  const halfRate = Math.max(10, Math.round((mix50?.rps ?? 100) / 2));
  await opened('baseline', halfRate, opts.durationS);
  await opened('mix', halfRate, opts.durationS);
  let mixCosts = null;
  if (counting) {
    // The ledger consumer works through the last bid counts about 1-2 s after the isolate flushes them.
    await sleep(2_500);
    const snap = await costs(base, auth, 'GET');
    const decisions = snap?.sources['POST /openrtb2/bid']?.invocations ?? 0;
    mixCosts = snap ? { ...costPerMillion(snap, (src) => src === 'POST /openrtb2/bid' || src.startsWith('queue ledger'), decisions), profileEventsAfterSeeding: snap.sources['queue profile-events']?.invocations ?? 0 } : null;
  }
  const flavourCosts = {};
  const skipped = [];
  if (opts.flavours) {
    const top = Math.max(...opts.concurrencies);
    for (const f of FLAVOURS) {
      if (Date.now() + (Math.max(1, Math.floor(opts.durationS / 2)) + 3) * 1000 > budgetEndMs()) {
        skipped.push(f.name);
        continue;
      }
      if (counting) await costs(base, auth, 'DELETE');
      await closed(f.name, top, Math.max(1, Math.floor(opts.durationS / 2)));
      if (counting) {
        const snap = await costs(base, auth, 'GET');
        const decisions = snap?.sources['POST /openrtb2/bid']?.invocations ?? 0;
        if (snap) {
          const c = costPerMillion(snap, (src) => src === 'POST /openrtb2/bid', decisions);
          flavourCosts[f.name] = { ...c.perMillion, byBinding: c.byBinding };
        }
      }
    }
  }
  relateToBaselines(rows);
  const timing = [];
  for (const r of rows.filter((x) => x.name === 'mix')) {
    const label = `mix ${r.concurrency !== null ? `c=${r.concurrency}` : `${r.ratePerSec}/s`}`;
    timing.push([label, timingAggregate(r._samples)]);
    const late = timingAggregate(r._samples, (t) => t.late);
    if (Object.keys(late).length > 0) timing.push([`${label}, late answers only`, late]);
  }
  if (skipped.length > 0) log(`out of time: skipped the flavour runs ${skipped.join(', ')}`);
  const meta = { ...(await metaOf(loadStart, seeding, catalog)), ...(skipped.length > 0 ? { skippedForTime: skipped } : {}) };
  const result = { scenarios: rows.map(publicRow), serverTiming: Object.fromEntries(timing), costPerMillionDecisions: mixCosts, flavourCostPerMillion: flavourCosts, goals: goals(rows), ...(cpuProfile ? { cpuProfile } : {}), meta };
  if (opts.json) out(JSON.stringify(result, null, 2));
  else printReport(result, rows, timing);
  // A smoke run (CI) proves the harness and the worker work: every answer a 200 or 204.
  const failed = rows.reduce((a, r) => a + r.errors, 0);
  if (opts.smoke && (failed > 0 || rows.some((r) => r.requests === 0))) {
    console.error(`loadtest: smoke run failed: ${failed} errors or a scenario without answers`);
    return 1;
  }
  return 0;
}

async function metaOf(loadStart, seeding, catalog) {
  const wranglerVersion = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules/wrangler/package.json'), 'utf8')).version;
  return {
    date: new Date().toISOString(),
    mode: opts.mode,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
    node: process.version,
    wrangler: wranglerVersion,
    loadAverage1m: { start: Number(loadStart.toFixed(2)), end: Number(loadavg()[0].toFixed(2)) },
    catalog: catalog ? { lineItems: catalog.lineItems, bytes: catalog.bytes } : 'the running worker’s',
    users: opts.mode === 'url' && !opts.seedUrlUsers ? 0 : opts.users,
    seeding,
    durationSec: opts.durationS,
    // What departs from the defaults, so a saved report says how it was run.
    options: [opts.only ? `--only ${opts.only}` : null, opts.keepObjects ? '--keep-objects' : null, opts.inMemory ? '--in-memory' : null].filter((x) => x !== null),
    workerRssMb: workerdPids().map((pid) => Math.round(rssMb(pid) ?? 0)),
    elapsedSec: elapsedS(),
  };
}

function printReport(result, rows, timing) {
  const m = result.meta;
  out(`edgebid load test — ${m.date}, ${m.mode} mode, ${m.machine}, Node ${m.node}, wrangler ${m.wrangler}`);
  out(`1-min load average: ${m.loadAverage1m.start} at start, ${m.loadAverage1m.end} at end (above ~1 per CPU the figures are mostly other work)`);
  const seeded = m.seeding ? `; ${m.seeding.probesVisible} of ${m.seeding.probes} probe users' events applied after ${(m.seeding.visibleMs / 1000).toFixed(1)} s` : '';
  out(`catalog: ${typeof m.catalog === 'string' ? m.catalog : `${m.catalog.lineItems} line items, ${(m.catalog.bytes / 1e6).toFixed(1)} MB`}; users: ${m.users}${seeded}`);
  if (m.options.length > 0) out(`options: ${m.options.join(' ')}`);
  out('');
  for (const l of tableLines(rows)) out(l);
  out('');
  out(`Server-Timing (1 in ${opts.timingEvery ?? 20} bids of the mix asked for it; 1 ms clock, so read the means; "outside" = client latency − the handler's total):`);
  for (const l of timingLines(timing)) out(l);
  out('');
  const c = result.costPerMillionDecisions;
  if (c) {
    out(`Cost per 1,000,000 decisions in the mix (${c.decisions} counted): ${JSON.stringify(c.perMillion)}`);
    for (const [src, s] of Object.entries(c.bySource)) out(`  ${src}: ${JSON.stringify(s)}`);
    out(`  by binding: ${JSON.stringify(c.byBinding)}`);
    if (c.profileEventsAfterSeeding > 0) out(`  (the profile consumer still ran ${c.profileEventsAfterSeeding} batches during the window: seeding had not fully settled)`);
  } else out('Cost per decision: not counted (cost counters off)');
  for (const [f, p] of Object.entries(result.flavourCostPerMillion)) out(`  ${f}: ${JSON.stringify(p)}`);
  if (result.cpuProfile) {
    const p = result.cpuProfile;
    out('');
    out(`CPU profile of the worker isolate during ${p.scenario} (${p.sampledMs} ms sampled; self time, native work under its JS caller):`);
    out(`  by module: ${p.modules.map((m) => `${m.name} ${m.pct} %`).join(', ')}`);
    for (const f of p.functions) out(`  ${String(f.pct).padStart(5)} %  ${f.name}`);
  }
  out('');
  out('Goals (issue 7), this run:');
  for (const g of result.goals) out(`  ${g.met === null ? '       ' : g.met ? 'met    ' : 'NOT met'}  ${g.goal}: ${g.measured}`);
  for (const r of rows) for (const f of r._samples.failures) out(`  ${r.name} (${r.concurrency ?? `${r.ratePerSec}/s`}): ${f}`);
  if (m.skippedForTime) out(`  not run (time budget on a busy machine): ${m.skippedForTime.join(', ')}`);
  out(`worker RSS (MB, per workerd process): ${m.workerRssMb.join(', ') || 'n/a'}; ran ${m.elapsedSec} s`);
}

async function soak(base, auth, scenario, loadStart, seeding, catalog) {
  log('finding the saturating rate (mix, concurrency 50, 5 s)');
  const sat = summarise(scenario('mix', { concurrency: 50 }), await run(closedLoop({ base, connections: 50, durationS: 5, next: scenario('mix', {}).next })));
  const ratePerSec = Math.max(10, Math.round(sat.rps / 2));
  const report = await runSoak({ base, ratePerSec, totalS: opts.soakS, next: scenario('mix', {}).next, log, onRun: (gen) => run(gen) });
  const meta = await metaOf(loadStart, seeding, catalog);
  if (opts.json) out(JSON.stringify({ soak: report, meta }, null, 2));
  else for (const l of soakLines(report, meta)) out(l);
  return 0;
}

// ---------------------------------------------------------------------------------------------

// Locally every new user is a new SQLite-backed object: the profile consumer applies ~50-150 new
// users a second on a 2-core box, so a bigger population buys itself more time.
const hardLimitMs = (HARD_LIMIT_S + opts.soakS + Math.max(0, opts.users - FULL.users) / 50) * 1000;
const hard = setTimeout(() => {
  console.error(`loadtest: gave up after ${hardLimitMs / 1000} s`);
  current?.stop();
  void target.stop().finally(() => process.exit(1));
}, hardLimitMs);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    process.exitCode = 130;
    current?.stop();
    void target.stop().finally(() => process.exit(130));
  });
}
try {
  process.exitCode = await main();
} catch (err) {
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  console.error(`loadtest: ${err instanceof Error ? err.message : String(err)}${cause}`);
  process.exitCode = 1;
} finally {
  clearTimeout(hard);
  log('stopping the worker');
  await target.stop();
}
process.exit(process.exitCode);
