// `npm run freshness`: how long from "event accepted" (the 202 of POST /v1/events) until a
// decision reflects it, against a running `npm start` (or --url). For each of --n fresh users:
//   segment entry — an Acme add_to_cart; then poll POST /v1/decisions (explain on) until Acme's
//                   cart-retargeting line item is no longer `no_targeting_match`;
//   suppression   — then an Acme `conversion` (it keeps the cart membership, so only suppression
//                   can stop the bid); poll until that line item is `suppressed_converted`.
//   segment entry, returning users — the same for a user who already had an event (a page view)
//                   and whom the known-users filter already lists (decisions no longer say
//                   profile source `unknown`) before the measured cart add. Brand-new users'
//                   segment entry includes the filter's lag (publish ≤ 1 s + each isolate's refresh).
// Prints p50/p99 per measurement; --json prints
//   { "segmentEntry": …, "segmentEntryReturning": …, "suppression": … }, each { "n", "p50Ms", "p99Ms" }.
// Needs EXPLAIN=on (the .dev.vars default) or --token with the admin token, and the demo catalog.
import { readFileSync } from 'node:fs';
import { devPublisherKey } from './lib/dev-vars.mjs';

const args = parseArgs(process.argv.slice(2));
const BASE = args.url ?? 'http://127.0.0.1:8787';
const N = Number(args.n ?? 40);
const CONCURRENCY = Number(args.concurrency ?? 4);
const POLL_MS = Number(args['poll-ms'] ?? 20);
const TIMEOUT_MS = Number(args['timeout-ms'] ?? 15_000);
const LINE_ITEM = 'li-acme-cart-retargeting';
const SOURCE_HEADER = 'x-edgebid-profile-source';
const TOKEN = args.token ?? process.env.EDGEBID_TOKEN ?? devPublisherKey();

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const key = a.slice(2);
    if (key === 'json') out.json = true;
    else out[key] = argv[++i];
  }
  return out;
}

const headers = { 'content-type': 'application/json', ...(TOKEN ? { authorization: `Bearer ${TOKEN}` } : {}) };

async function sendEvent(user, type) {
  const body = { events: [{ id: `fresh-${user}-${type}`, type, userKey: user, ts: Date.now(), advertiserId: 'adv-acme', productId: 'tent-2p', value: 249 }] };
  const res = await fetch(`${BASE}/v1/events`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 202) throw new Error(`POST /v1/events answered ${res.status}: ${await res.text()}`);
  return performance.now();
}

/** The cart-retargeting line item's outcome in a decision for `user`. */
async function outcome(user) {
  return (await decision(user)).outcome;
}

/** The decision's cart-retargeting outcome and where its profile came from. */
async function decision(user) {
  const body = { userKey: user, placements: [{ id: 'p', sizes: ['300x250'] }], site: { domain: 'news.example', page: 'https://news.example/a' }, explain: true };
  const res = await fetch(`${BASE}/v1/decisions`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`POST /v1/decisions answered ${res.status}: ${await res.text()}`);
  const json = await res.json();
  const slot = json.explain?.slots?.[0];
  if (!slot) throw new Error('no explain trace in the decision: set EXPLAIN=on in .dev.vars or pass --token <admin token>');
  return { outcome: slot.lineItems.find((l) => l.lineItemId === LINE_ITEM)?.outcome, source: res.headers.get(SOURCE_HEADER) };
}

/** Polls until `done(outcome)`; the latency from `fromMs`, or null on timeout. */
async function until(user, fromMs, done) {
  for (;;) {
    const o = await outcome(user);
    const now = performance.now();
    if (done(o)) return now - fromMs;
    if (now - fromMs > TIMEOUT_MS) return null;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function measureOne(i, run) {
  const user = `fresh-${run}-${i}`;
  const before = await outcome(user);
  if (before !== 'no_targeting_match') throw new Error(`a fresh user should not match cart retargeting yet (got ${before})`);
  const entryFrom = await sendEvent(user, 'add_to_cart');
  const entry = await until(user, entryFrom, (o) => o !== undefined && o !== 'no_targeting_match');
  const suppressFrom = await sendEvent(user, 'conversion');
  const suppression = await until(user, suppressFrom, (o) => o === 'suppressed_converted');
  return { entry, suppression };
}

/** Segment entry for a user the filter already lists: an earlier page view, then the cart add. */
async function measureReturning(i, run) {
  const user = `returning-${run}-${i}`;
  const from = await sendEvent(user, 'page_view');
  for (;;) {
    const d = await decision(user);
    if (d.source !== 'unknown') break;
    if (performance.now() - from > TIMEOUT_MS) return null;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const entryFrom = await sendEvent(user, 'add_to_cart');
  return until(user, entryFrom, (o) => o !== undefined && o !== 'no_targeting_match');
}

function summary(samples) {
  const ok = samples.filter((s) => s !== null).sort((a, b) => a - b);
  const at = (p) => (ok.length === 0 ? null : Math.round(ok[Math.min(ok.length - 1, Math.ceil((p / 100) * ok.length) - 1)]));
  return { n: ok.length, p50Ms: at(50), p99Ms: at(99), timeouts: samples.length - ok.length, maxMs: at(100) };
}

/** The queue consumer settings in force (wrangler.toml), stated next to the figures. */
function queueSettings() {
  try {
    const toml = readFileSync(new URL('../wrangler.toml', import.meta.url), 'utf8');
    const block = toml.split('[[queues.consumers]]').slice(1).find((b) => /^\s*queue\s*=\s*"profile-events"\s*$/m.test(b)) ?? '';
    const get = (k) => /(\d+)/.exec(new RegExp(`${k}\\s*=\\s*\\d+`).exec(block)?.[0] ?? '')?.[1];
    return { maxBatchSize: Number(get('max_batch_size')), maxBatchTimeoutSec: Number(get('max_batch_timeout')) };
  } catch {
    return {};
  }
}

async function main() {
  const health = await fetch(`${BASE}/healthz`).catch(() => null);
  if (!health?.ok) {
    console.error(`no worker answering on ${BASE}: start it with \`npm start\` (or pass --url)`);
    process.exit(1);
  }
  const run = Date.now().toString(36);
  const entries = [];
  const suppressions = [];
  const returning = [];
  let next = 0;
  const worker = async () => {
    while (next < N) {
      const i = next++;
      const r = await measureOne(i, run);
      entries.push(r.entry);
      suppressions.push(r.suppression);
      returning.push(await measureReturning(i, run));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, CONCURRENCY) }, worker));
  const segmentEntry = summary(entries);
  const suppression = summary(suppressions);
  const segmentEntryReturning = summary(returning);
  if (args.json) {
    const pick = ({ n, p50Ms, p99Ms }) => ({ n, p50Ms, p99Ms });
    console.log(JSON.stringify({ segmentEntry: pick(segmentEntry), segmentEntryReturning: pick(segmentEntryReturning), suppression: pick(suppression) }));
  } else {
    const q = queueSettings();
    console.log(`event accepted (202) → decision reflects it; ${N} users, ${CONCURRENCY} at a time, polling every ${POLL_MS} ms`);
    console.log(`queue consumer: max_batch_size ${q.maxBatchSize}, max_batch_timeout ${q.maxBatchTimeoutSec} s`);
    const rows = [['segment entry, brand-new users (incl. the known-users filter lag)', segmentEntry], ['segment entry, returning users', segmentEntryReturning], ['suppression', suppression]];
    for (const [name, s] of rows) {
      console.log(`${name.padEnd(66)} n=${s.n} p50=${s.p50Ms} ms p99=${s.p99Ms} ms max=${s.maxMs} ms timeouts=${s.timeouts}`);
    }
  }
  if (segmentEntry.timeouts + suppression.timeouts + segmentEntryReturning.timeouts > 0) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
