// `npm run bench [-- --json]`: the decision engine in-process, indexed against the linear scan.
//
// Bundles src/core (compileCatalog, decide, candidates, the synthetic generator in
// src/core/engine/synthetic.ts) with the esbuild in node_modules into a temp directory and, for
// synthetic catalogs of 100, 1,000, 10,000 and 100,000 line items (fixed seed), times decide() per
// decision (one impression per request) with `engine: 'index'` and with `engine: 'linear'` over the
// same request stream, interleaved (each step one linear decision and a fixed number of indexed
// ones; which goes first alternates), after a warm-up. The linear scan evaluates every line item;
// the indexed engine walks only the index's candidates, in auction order, and stops once nothing
// left can outbid the best bid so far.
//
// Before timing, the two engines' decisions are compared on the first requests of each stream; any
// difference fails the run. Reported per size and engine: median and p99 µs per decision,
// decisions/second (samples ÷ their summed time), samples; per size the index's mean candidates
// per impression and the catalog compile time (compileCatalog, index included). `--json` prints one
// JSON array of { lineItems, engine, p50Us, p99Us, decisionsPerSec }. Bounded: a timing window per
// size (the linear scan gets few samples at 100,000) and a deadline under 3 minutes for the run.
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SEED = 20261123;
const NOW_MS = Date.UTC(2026, 10, 23, 14, 0, 0);
const REQUESTS = 2_000;
/**
 * Per size: how many index decisions to time per linear one (the linear scan costs far more, and
 * both should span the whole window), the timing window, and how many requests' decisions are
 * compared between the engines first. The linear scan at 100,000 line items takes seconds per
 * decision on a busy 2-core box, hence its few samples.
 */
const PLAN = [
  { lineItems: 100, indexPerLinear: 1, budgetMs: 8_000, verify: 200 },
  { lineItems: 1_000, indexPerLinear: 4, budgetMs: 12_000, verify: 100 },
  { lineItems: 10_000, indexPerLinear: 20, budgetMs: 25_000, verify: 25 },
  { lineItems: 100_000, indexPerLinear: 100, budgetMs: 30_000, verify: 3 },
];
const MAX_INDEX_SAMPLES = 40_000;
/** The run stops with an error past this (checked between decisions: the work is synchronous). */
const DEADLINE_MS = 175_000;
const startedAt = performance.now();

function checkDeadline() {
  if (performance.now() - startedAt > DEADLINE_MS) throw new Error(`gave up after ${DEADLINE_MS / 1000} s (the box is too busy?)`);
}

const json = process.argv.includes('--json');
for (const a of process.argv.slice(2)) {
  if (a !== '--json') {
    console.error(`bench: unknown option ${a}\nusage: node scripts/bench-engine.mjs [--json]`);
    process.exit(2);
  }
}

const ENTRY = `
export { compileCatalog } from './src/core/catalog/compile';
export { decide } from './src/core/engine/decide';
export { candidates } from './src/core/engine/candidate-index';
export { advertiserCount, seededRng, syntheticCatalog, syntheticRequest } from './src/core/engine/synthetic';
`;

async function bundle(dir) {
  const outfile = join(dir, 'engine.mjs');
  await build({
    stdin: { contents: ENTRY, resolveDir: PROJECT_ROOT, sourcefile: 'bench-engine-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function stats(samples) {
  const sorted = Float64Array.from(samples).sort();
  const totalUs = sorted.reduce((a, b) => a + b, 0);
  return { p50Us: percentile(sorted, 50), p99Us: percentile(sorted, 99), decisionsPerSec: (sorted.length / totalUs) * 1e6, samples: sorted.length };
}

/** What a decision means to the caller, for comparing the engines. */
function summary(d) {
  const heldOut = d.heldOut ? `held out ${d.heldOut.lineItemId}` : '';
  return d.kind === 'bid' ? `${d.lineItem.item.id} ${d.creative.id} ${d.priceMicros} ${d.dealId ?? ''} ${heldOut}` : `${d.reason} ${heldOut}`;
}

/** The same context decide() builds for an impression, to count the index's candidates. */
function evalContext(r, slot) {
  const formats = new Set();
  if (slot.banner) {
    formats.add('banner');
    for (const s of slot.banner.sizes) formats.add(`${s.w}x${s.h}`);
  }
  if (slot.video) formats.add('video');
  if (slot.native) formats.add('native');
  return {
    request: r.request,
    slot,
    nowMs: NOW_MS,
    profile: r.profile,
    formats,
    dealIds: new Set(slot.deals.map((d) => d.id)),
    keywords: new Set(r.request.keywords),
    categories: new Set(r.request.inventory.categories),
    score: () => null,
  };
}

function benchSize(core, plan) {
  const rng = core.seededRng(SEED + plan.lineItems);
  const doc = core.syntheticCatalog(plan.lineItems, rng);
  const t0 = performance.now();
  const catalog = core.compileCatalog(doc);
  const compileMs = performance.now() - t0;
  const advertisers = core.advertiserCount(plan.lineItems);
  const requests = Array.from({ length: REQUESTS }, () => core.syntheticRequest(rng, advertisers, NOW_MS));
  const decideRng = core.seededRng(SEED);
  const run = (r, engine, rng = decideRng) => core.decide(catalog, { ...r, nowMs: NOW_MS, rng, explain: false, engine });

  let bids = 0;
  const verify = Math.min(plan.verify, REQUESTS);
  for (let i = 0; i < verify; i++) {
    checkDeadline();
    const r = requests[i];
    // The same draws for both: anonymous users' creative rotation uses rng.
    const indexed = run(r, 'index', core.seededRng(i));
    const a = JSON.stringify(indexed.map(summary));
    const b = JSON.stringify(run(r, 'linear', core.seededRng(i)).map(summary));
    if (a !== b) throw new Error(`${plan.lineItems} line items, request ${i}: index ${a} ≠ linear ${b}`);
    if (indexed[0]?.kind === 'bid') bids++;
  }
  let candidateSum = 0;
  for (const r of requests) candidateSum += core.candidates(catalog.index, evalContext(r, r.slots[0])).length;

  // Warm-up, beyond the verification above.
  for (let i = 0; i < 500; i++) run(requests[i % REQUESTS], 'index');

  const samples = { index: [], linear: [] };
  const started = performance.now();
  let sink = 0;
  const time = (r, engine) => {
    const t = performance.now();
    sink += run(r, engine).length;
    samples[engine].push((performance.now() - t) * 1000);
  };
  // Each step: one linear decision and `indexPerLinear` indexed ones on the next requests of the
  // stream, the linear one first on even steps and last on odd ones.
  let next = 0;
  for (let step = 0; performance.now() - started < plan.budgetMs && samples.index.length < MAX_INDEX_SAMPLES; step++) {
    checkDeadline();
    const linearRequest = requests[next % REQUESTS];
    if (step % 2 === 0) time(linearRequest, 'linear');
    for (let k = 0; k < plan.indexPerLinear; k++) time(requests[next++ % REQUESTS], 'index');
    if (step % 2 === 1) time(linearRequest, 'linear');
  }
  if (sink === 0) throw new Error('no decision was made');
  return {
    lineItems: plan.lineItems,
    compileMs,
    meanCandidates: candidateSum / REQUESTS,
    bidsInVerified: bids,
    verified: verify,
    timingMs: performance.now() - started,
    index: stats(samples.index),
    linear: stats(samples.linear),
  };
}

const fmt = (n, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printTable(results) {
  const head = ['line items', 'engine', 'p50 µs', 'p99 µs', 'decisions/s', 'samples', 'candidates/imp', 'compile ms'];
  const cells = results.flatMap((r) =>
    ['index', 'linear'].map((engine) => [
      fmt(r.lineItems, 0),
      engine,
      fmt(r[engine].p50Us),
      fmt(r[engine].p99Us),
      fmt(r[engine].decisionsPerSec, 0),
      fmt(r[engine].samples, 0),
      engine === 'index' ? fmt(r.meanCandidates) : fmt(r.lineItems, 0),
      engine === 'index' ? fmt(r.compileMs, 0) : '',
    ]),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => (i === 1 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
  console.log('');
  for (const r of results) {
    console.log(`${fmt(r.lineItems, 0)} line items: linear ÷ index = ${fmt(r.linear.p50Us / r.index.p50Us)}× at p50, ${fmt(r.linear.p99Us / r.index.p99Us)}× at p99`);
  }
  const at = (n) => results.find((r) => r.lineItems === n);
  const k1 = at(1_000);
  const k10 = at(10_000);
  if (k1 && k10) {
    const speedup = k10.linear.p50Us / k10.index.p50Us;
    const growth = k10.index.p50Us / k1.index.p50Us;
    console.log('');
    console.log(`goal: 10,000 line items, index ≥ 10× faster than linear (p50): ${fmt(speedup)}× — ${speedup >= 10 ? 'met' : 'MISSED'}`);
    console.log(`goal: index 1,000 → 10,000 line items < 3× per decision (p50): ${fmt(growth, 2)}× — ${growth < 3 ? 'met' : 'MISSED'}`);
  }
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'edgebid-bench-engine-'));
  const removeOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeOnExit);
  try {
    const core = await import(pathToFileURL(await bundle(dir)).href);
    const results = [];
    for (const plan of PLAN) {
      if (!json) process.stderr.write(`bench: ${fmt(plan.lineItems, 0)} line items …\n`);
      results.push(benchSize(core, plan));
    }
    if (json) {
      const rows = results.flatMap((r) =>
        ['index', 'linear'].map((engine) => ({
          lineItems: r.lineItems,
          engine,
          p50Us: Number(r[engine].p50Us.toFixed(2)),
          p99Us: Number(r[engine].p99Us.toFixed(2)),
          decisionsPerSec: Math.round(r[engine].decisionsPerSec),
        })),
      );
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    const esbuildVersion = JSON.parse(await readFile(join(PROJECT_ROOT, 'node_modules/esbuild/package.json'), 'utf8')).version;
    console.log(`edgebid engine bench: Node ${process.version}, esbuild ${esbuildVersion} bundle of src/core; synthetic catalogs (seed ${SEED})`);
    console.log(`decide() per decision (one impression), index and linear interleaved over one ${fmt(REQUESTS, 0)}-request stream per size;`);
    console.log(`decisions identical between the engines on the first ${results.map((r) => `${r.verified} (${fmt(r.bidsInVerified, 0)} bids)`).join(' / ')} requests; total ${fmt((performance.now() - startedAt) / 1000)} s`);
    console.log('');
    printTable(results);
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    process.off('exit', removeOnExit);
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
