// `npm run overspend [-- --budget <usd>] [-- --concurrency <n>] [-- --lag <s>] [-- --json]`:
// how far past its daily budget a campaign spends under concurrent load, measured on the REAL
// worker (the production bundle in workerd through Miniflare, real KV / Durable Objects / Queues).
//
// The catalog holds one ASAP campaign with a daily budget and one line item bidding $2.00 CPM on
// any 300x250. Clients post bids concurrently; for every bid they get, the "exchange" (this
// script) decides a win (50 %), draws a clearing price (60–100 % of the bid) and calls the win
// notice with it in `price`, as an exchange substitutes `${AUCTION_PRICE}`. The exchange's own sum
// of clearing prices is the true spend; the run goes on until the campaign has not bid for
// `--quiet` seconds, or `--max` seconds pass. Reported: spend vs budget (overspend %), the
// ledger's own figure (the report API), how long bids went on after the exchange's spend reached
// the budget, and the throughput. Pacing is configured as production is, with the local lag:
// CATALOG_REFRESH_SEC=1 and PACING_LAG_SEC=--lag (default 6: 1 s refresh + 2 s publish delay +
// ~1 s queue batch + ~1 s outbox, rounded up). Local only; exits 1 if the run could not be made.
import { randomUUID } from 'node:crypto';
import { authHeaders, LOCAL_AUTH_VARS } from './lib/local-auth.mjs';
import { startBundledWorker } from './lib/bundled-worker.mjs';

const CAMPAIGN = 'cmp-overspend';
const BID_CPM = 2;

function parseArgs(argv) {
  const o = { budgetUsd: 5, concurrency: 16, lagSec: 6, maxSec: 180, quietSec: 10, winRate: 0.5, json: false };
  const num = (name, raw, min, max) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) usage(`${name} must be a number in ${min}..${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? a.split('=', 2) : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--json') o.json = true;
    else if (flag === '--budget') o.budgetUsd = num('--budget', value(), 0.01, 10_000);
    else if (flag === '--concurrency') o.concurrency = num('--concurrency', value(), 1, 256);
    else if (flag === '--lag') o.lagSec = num('--lag', value(), 1, 600);
    else if (flag === '--max') o.maxSec = num('--max', value(), 10, 1800);
    else if (flag === '--quiet') o.quietSec = num('--quiet', value(), 2, 120);
    else if (flag === '--win-rate') o.winRate = num('--win-rate', value(), 0.01, 1);
    else if (flag === '--help' || flag === '-h') usage();
    else usage(`unknown option ${a}`);
  }
  return o;
}

function usage(msg) {
  if (msg) console.error(msg);
  console.error('usage: npm run overspend [-- --budget <usd>] [--concurrency <n>] [--lag <s>] [--max <s>] [--quiet <s>] [--win-rate <0..1>] [--json]');
  process.exit(msg ? 2 : 0);
}

function catalog(budgetMicros) {
  return {
    version: 1,
    currency: 'USD',
    currencyRates: {},
    advertisers: [{ id: 'adv-overspend', name: 'Overspend test', domains: ['overspend.example'], categories: [] }],
    campaigns: [
      {
        id: CAMPAIGN,
        advertiserId: 'adv-overspend',
        name: 'Budgeted ASAP campaign',
        conversion: { eventTypes: ['purchase'], suppressWithinSec: 0 },
        holdoutPct: 0,
        budget: { dailyMicros: budgetMicros, pacing: 'asap' },
      },
    ],
    lineItems: [
      {
        id: 'li-overspend',
        campaignId: CAMPAIGN,
        name: 'Everyone, 300x250',
        status: 'active',
        targeting: null,
        baseCpmMicros: BID_CPM * 1e6,
        maxCpmMicros: BID_CPM * 1e6,
        adjustments: [],
        frequencyCaps: [],
        creativeIds: ['cr-overspend'],
        priority: 1,
      },
    ],
    creatives: [
      {
        id: 'cr-overspend',
        advertiserId: 'adv-overspend',
        format: 'banner',
        w: 300,
        h: 250,
        markup: '<a href="${CLICK_URL}">ad</a><img src="${IMPRESSION_URL}" width="1" height="1" alt="">',
        clickUrl: 'https://overspend.example/',
        categories: [],
        attributes: [],
        weight: 1,
      },
    ],
    lookalikeModels: [],
  };
}

/** The production bundle in Miniflare with the catalog seeded straight into its KV. */
function startWorker(vars, doc) {
  return startBundledWorker({
    vars,
    tag: 'overspend',
    onReady: async (mf) => {
      const kv = await mf.getKVNamespace('CATALOG');
      await kv.put(`catalog:v:${doc.version}`, JSON.stringify(doc));
      await kv.put('catalog:current', String(doc.version));
    },
  });
}

function bidRequest() {
  return JSON.stringify({ id: randomUUID(), imp: [{ id: '1', banner: { w: 300, h: 250 } }], site: { domain: 'news.example' }, tmax: 500 });
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const budgetMicros = Math.round(o.budgetUsd * 1e6);
  const vars = {
    USER_KEY_SECRET: 'overspend-user-key-secret',
    TRACKING_SECRET: 'overspend-tracking-secret',
    DEMO_CATALOG: 'off',
    CATALOG_REFRESH_SEC: '1',
    PACING_LAG_SEC: String(o.lagSec),
    ...LOCAL_AUTH_VARS,
  };
  const log = (msg) => console.error(`[overspend] ${msg}`);
  log(`building and starting the worker (budget $${o.budgetUsd}/day, ASAP, bids $${BID_CPM} CPM, c=${o.concurrency}, lag ${o.lagSec} s)`);
  const worker = await startWorker(vars, catalog(budgetMicros));
  const stopAll = async () => worker.stop();
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const base = worker.url;
    const bidUrl = new URL('/openrtb2/bid', base);
    const bidHeaders = { 'content-type': 'application/json', ...authHeaders('/openrtb2/bid') };
    const s = { requests: 0, bids: 0, noBids: 0, errors: 0, wins: 0, spendNanos: 0, budgetReachedAt: null, bidsAfterBudget: 0, lastBidAt: 0 };
    const started = Date.now();
    let stop = false;
    const client = async () => {
      while (!stop) {
        const res = await fetch(bidUrl, { method: 'POST', headers: bidHeaders, body: bidRequest(), signal: AbortSignal.timeout(10_000) }).catch(() => null);
        s.requests++;
        if (!res) {
          s.errors++;
          continue;
        }
        if (res.status === 204) {
          s.noBids++;
          await res.arrayBuffer();
          continue;
        }
        if (res.status !== 200) {
          s.errors++;
          await res.arrayBuffer();
          continue;
        }
        const bid = (await res.json()).seatbid?.[0]?.bid?.[0];
        if (!bid) continue;
        s.bids++;
        s.lastBidAt = Date.now();
        if (s.budgetReachedAt !== null) s.bidsAfterBudget++;
        if (Math.random() >= o.winRate) continue;
        const cpmMicros = Math.round(bid.price * 1e6 * (0.6 + 0.4 * Math.random()));
        const price = (cpmMicros / 1e6).toFixed(6);
        const win = await fetch(bid.nurl.replace('${AUCTION_PRICE}', price), { signal: AbortSignal.timeout(10_000) }).catch(() => null);
        if (win?.status === 204) {
          s.wins++;
          // One impression at a CPM of cpmMicros costs cpmMicros nano-units.
          s.spendNanos += cpmMicros;
          if (s.budgetReachedAt === null && s.spendNanos >= budgetMicros * 1000) s.budgetReachedAt = Date.now();
        } else s.errors++;
      }
    };
    const reportUrl = new URL(`/v1/reports/campaigns/${CAMPAIGN}?from=${new Date(started - 3_600_000).toISOString()}`, base);
    const ledgerView = async () => (await fetch(reportUrl, { headers: authHeaders(reportUrl.pathname) }).then((r) => r.json()).catch(() => null))?.pacing;
    // How far the ledger's figures trail the exchange's: the pipeline part of the lag pacing plans for.
    let maxTrailUsd = 0;
    const watchdog = setInterval(() => {
      const now = Date.now();
      const quiet = s.lastBidAt > 0 && now - s.lastBidAt > o.quietSec * 1000;
      if (quiet || now - started > o.maxSec * 1000) stop = true;
      const exchangeUsd = s.spendNanos / 1e9;
      void ledgerView().then((p) => {
        const trail = p ? exchangeUsd - p.spentTodayMicros / 1e6 : NaN;
        if (trail > maxTrailUsd) maxTrailUsd = trail;
        log(
          `${Math.round((now - started) / 1000)} s: ${s.requests} requests, ${s.bids} bids, ${s.wins} wins, spend $${exchangeUsd.toFixed(4)} of $${o.budgetUsd}` +
            (p ? `; ledger $${(p.spentTodayMicros / 1e6).toFixed(4)} (p=${Number(p.bidProbability).toFixed(3)} ${p.reason})` : ''),
        );
      });
    }, 2000);
    await Promise.all(Array.from({ length: o.concurrency }, client));
    clearInterval(watchdog);
    const elapsedSec = (Date.now() - started) / 1000;
    // The ledger's own figure, once its queue has drained.
    await new Promise((r) => setTimeout(r, 3000));
    const report = await (await fetch(reportUrl, { headers: authHeaders(reportUrl.pathname) })).json();
    const result = {
      budgetUsd: o.budgetUsd,
      concurrency: o.concurrency,
      lagSec: o.lagSec,
      spendUsd: s.spendNanos / 1e9,
      overspendPct: ((s.spendNanos / 1000 - budgetMicros) / budgetMicros) * 100,
      ledgerSpendUsd: (report.totals?.spendMicros ?? NaN) / 1e6,
      ledgerWins: report.totals?.wins,
      pacing: report.pacing,
      wins: s.wins,
      bids: s.bids,
      requests: s.requests,
      noBids: s.noBids,
      errors: s.errors,
      requestsPerSec: s.requests / elapsedSec,
      secondsToBudget: s.budgetReachedAt === null ? null : (s.budgetReachedAt - started) / 1000,
      bidsAfterBudget: s.bidsAfterBudget,
      lastBidAfterBudgetSec: s.budgetReachedAt === null ? null : Math.max(0, (s.lastBidAt - s.budgetReachedAt) / 1000),
      maxLedgerTrailUsd: maxTrailUsd,
      elapsedSec,
    };
    if (o.json) console.log(JSON.stringify(result, null, 2));
    else {
      const f = (n, d = 2) => (n === null || n === undefined || Number.isNaN(n) ? '–' : Number(n).toFixed(d));
      console.log(`budget            $${f(result.budgetUsd, 4)} a day (ASAP)`);
      console.log(`spend (exchange)  $${f(result.spendUsd, 4)}  → ${f(result.overspendPct, 3)} % of the budget past it`);
      console.log(`spend (ledger)    $${f(result.ledgerSpendUsd, 4)}  (${result.ledgerWins ?? '–'} wins; pacing ${result.pacing?.reason ?? '–'})`);
      console.log(`budget reached    after ${f(result.secondsToBudget, 1)} s; ${result.bidsAfterBudget} bids after it, the last ${f(result.lastBidAfterBudgetSec, 1)} s after`);
      console.log(`ledger trailing   at most $${f(result.maxLedgerTrailUsd, 4)} behind the exchange's spend`);
      console.log(`load              ${result.requests} bid requests in ${f(elapsedSec, 0)} s (${f(result.requestsPerSec, 0)}/s), c=${o.concurrency}; ${result.bids} bids, ${result.wins} wins, ${result.errors} errors`);
    }
  } finally {
    await stopAll();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
