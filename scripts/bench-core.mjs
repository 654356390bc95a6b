// `npm run bench:core [-- --json]`: micro-benchmark of the pure core in Node (no worker, no I/O).
//
// Bundles the core modules the bid path runs per request (src/core/openrtb/request-schema.ts
// parseBidRequest, src/core/openrtb/plan.ts, src/core/catalog/compile.ts + demo-catalog.ts,
// src/core/engine/decide.ts) with the esbuild in node_modules into a temp directory (platform
// node, format esm), imports the bundle and times, per op, over many iterations after a warm-up:
//
//   JSON.parse                               of the demo bid request (test/fixtures/bid-banner-300x250.json): the baseline
//   JSON.parse + parseBidRequest             the same bytes, parsed and validated (zod)
//   planBid + decide (no profile)            demo catalog (compiled once), an unknown user → prospecting
//   planBid + decide (cart abandoner)        the same with a cart_abandoners profile → retargeting
//   whole core (cart abandoner)              JSON.parse + parseBidRequest + bidAudience + planBid + decide
//
// zod runs jitless, as in workerd (no `new Function` there): `z.config({ jitless: true })` is set
// before the bundle is imported (zod reads it when a schema is built; the config object is global,
// so the bundled copy of zod sees it), and the run checks that the first validation compiled nothing.
//
// Every op is timed on its own with performance.now(); the ops are interleaved in rounds so drift on
// a shared box hits them alike. Reported: median and p99 µs per op and their ratio to the JSON.parse
// baseline (absolute times are noise on a shared box; ratios are the figure). The timer's own cost
// (an empty op) is shown and is included in every figure. Bounded: fixed iteration counts and a
// 90 s hard timeout. Prints a table; --json prints { ops: [...], meta: {...} }.
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { z } from 'zod';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = 25;
const ITERATIONS_PER_ROUND = 2_000;
const WARMUP_ROUNDS = 3;
/** Stop adding rounds after this long (the run stays bounded on a slow box). */
const TIMING_BUDGET_MS = 45_000;
const HARD_TIMEOUT_MS = 90_000;

const json = process.argv.includes('--json');
for (const a of process.argv.slice(2)) {
  if (a !== '--json') {
    console.error(`bench:core: unknown option ${a}\nusage: node scripts/bench-core.mjs [--json]`);
    process.exit(2);
  }
}

const ENTRY = `
export { parseBidRequest } from './src/core/openrtb/request-schema';
export { bidAudience } from './src/core/openrtb/audience';
export { planBid } from './src/core/openrtb/plan';
export { compileCatalog } from './src/core/catalog/compile';
export { DEMO_CATALOG } from './src/core/catalog/demo-catalog';
export { decide } from './src/core/engine/decide';
export { z as bundledZod } from 'zod';
`;

async function bundle(dir) {
  const outfile = join(dir, 'core.mjs');
  await build({
    stdin: { contents: ENTRY, resolveDir: PROJECT_ROOT, sourcefile: 'bench-core-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** Counts `new Function(...)` while `fn` runs (zod's JIT compiles its object parsers that way). */
function countFunctionCompiles(fn) {
  const original = globalThis.Function;
  let compiles = 0;
  globalThis.Function = new Proxy(original, {
    construct(target, args, newTarget) {
      compiles++;
      return Reflect.construct(target, args, newTarget === globalThis.Function ? target : newTarget);
    },
  });
  try {
    fn();
  } finally {
    globalThis.Function = original;
  }
  return compiles;
}

function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

async function main() {
  // Before the bundle is imported: its schemas are built at import and read the flag then.
  z.config({ jitless: true });

  const dir = await mkdtemp(join(tmpdir(), 'edgebid-bench-core-'));
  const removeOnExit = () => {
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', removeOnExit);
  try {
    const core = await import(pathToFileURL(await bundle(dir)).href);
    if (core.bundledZod.config().jitless !== true) throw new Error('the bundled zod does not see jitless: true');

    const text = await readFile(join(PROJECT_ROOT, 'test/fixtures/bid-banner-300x250.json'), 'utf8');
    const catalog = core.compileCatalog(core.DEMO_CATALOG);
    const money = { seat: 'edgebid', currency: catalog.currency, currencyRates: catalog.currencyRates };
    const nowMs = Date.now();
    const cartAbandoner = {
      version: 1,
      updatedAtMs: nowMs - 60_000,
      segments: { 'cart_abandoners@adv-acme': { sinceMs: nowMs - 3_600_000, expiresAtMs: nowMs + 7 * 86_400_000 } },
      conversions: {},
    };

    // The first validation is where zod would compile; it must compile nothing.
    let first;
    const compiles = countFunctionCompiles(() => {
      first = core.parseBidRequest(JSON.parse(text));
    });
    if (compiles !== 0) throw new Error(`zod compiled ${compiles} function(s): not jitless`);
    if (!first.ok) throw new Error(`the demo request does not validate: ${JSON.stringify(first.issues)}`);
    const req = first.value;

    const decideFor = (r, profile) => {
      const plan = core.planBid(r, money, { preciseGeo: true, userData: true });
      return core.decide(catalog, {
        request: plan.request,
        slots: plan.slots,
        profile,
        userHash: null,
        nowMs,
        rng: Math.random,
        explain: false,
      });
    };
    const winner = (decisions) => (decisions[0]?.kind === 'bid' ? decisions[0].lineItem.item.id : decisions[0]?.reason);
    for (const [profile, want] of [[null, 'li-acme-prospecting'], [cartAbandoner, 'li-acme-cart-retargeting']]) {
      const got = winner(decideFor(req, profile));
      if (got !== want) throw new Error(`decide: expected ${want}, got ${got}`);
    }

    let sink = 0;
    const ops = [
      { name: '(timer only: empty op)', fn: () => 0, overhead: true },
      { name: 'JSON.parse (baseline)', fn: () => JSON.parse(text).imp.length, baseline: true },
      {
        name: 'JSON.parse + parseBidRequest',
        fn: () => {
          const r = core.parseBidRequest(JSON.parse(text));
          return r.ok ? 1 : 0;
        },
      },
      { name: 'planBid + decide (no profile)', fn: () => decideFor(req, null).length },
      { name: 'planBid + decide (cart abandoner)', fn: () => decideFor(req, cartAbandoner).length },
      {
        name: 'whole core (cart abandoner)',
        fn: () => {
          const r = core.parseBidRequest(JSON.parse(text));
          if (!r.ok) return 0;
          return core.bidAudience(r.value).userKeys.length === 0 ? 0 : decideFor(r.value, cartAbandoner).length;
        },
      },
    ];

    const samples = ops.map(() => []);
    const timeRound = (record) => {
      for (const [i, op] of ops.entries()) {
        const fn = op.fn;
        for (let k = 0; k < ITERATIONS_PER_ROUND; k++) {
          const t0 = performance.now();
          sink += fn();
          const t1 = performance.now();
          if (record) samples[i].push((t1 - t0) * 1000);
        }
      }
    };
    for (let r = 0; r < WARMUP_ROUNDS; r++) timeRound(false);
    const started = performance.now();
    let rounds = 0;
    while (rounds < ROUNDS && performance.now() - started < TIMING_BUDGET_MS) {
      timeRound(true);
      rounds++;
    }
    if (sink === 0) throw new Error('no op produced a result');

    const stats = ops.map((op, i) => {
      const sorted = Float64Array.from(samples[i]).sort();
      return { name: op.name, overhead: op.overhead === true, baseline: op.baseline === true, n: sorted.length, medianUs: percentile(sorted, 50), p99Us: percentile(sorted, 99) };
    });
    const base = stats.find((s) => s.baseline);
    const rows = stats.map((s) => ({
      name: s.name,
      iterations: s.n,
      medianUs: Number(s.medianUs.toFixed(3)),
      p99Us: Number(s.p99Us.toFixed(3)),
      ratioToBaseline: s.overhead ? null : { median: Number((s.medianUs / base.medianUs).toFixed(2)), p99: Number((s.p99Us / base.p99Us).toFixed(2)) },
    }));
    const meta = {
      node: process.version,
      esbuild: JSON.parse(await readFile(join(PROJECT_ROOT, 'node_modules/esbuild/package.json'), 'utf8')).version,
      zod: JSON.parse(await readFile(join(PROJECT_ROOT, 'node_modules/zod/package.json'), 'utf8')).version,
      zodJitless: true,
      zodCompilesOnFirstParse: compiles,
      requestBytes: Buffer.byteLength(text),
      rounds,
      iterationsPerRound: ITERATIONS_PER_ROUND,
    };

    if (json) {
      console.log(JSON.stringify({ ops: rows, meta }, null, 2));
      return 0;
    }
    console.log(
      `edgebid core bench: Node ${meta.node}, esbuild ${meta.esbuild} bundle, zod ${meta.zod} JITLESS (z.config({ jitless: true }), as in workerd; ` +
        `0 functions compiled on the first parse)`,
    );
    console.log(`request: test/fixtures/bid-banner-300x250.json (${meta.requestBytes} bytes); ${rounds} rounds × ${ITERATIONS_PER_ROUND} timed ops per op, interleaved, after ${WARMUP_ROUNDS} warm-up rounds`);
    console.log('');
    const head = ['op', 'median µs', 'p99 µs', 'median ÷ base', 'p99 ÷ base'];
    const cells = rows.map((r) => [
      r.name,
      r.medianUs.toFixed(2),
      r.p99Us.toFixed(2),
      r.ratioToBaseline ? r.ratioToBaseline.median.toFixed(2) : '-',
      r.ratioToBaseline ? r.ratioToBaseline.p99.toFixed(2) : '-',
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
    console.log(line(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const c of cells) console.log(line(c));
    console.log('');
    console.log('÷ base: ratio to JSON.parse of the same request in this run. Times include the timer (first row).');
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    process.off('exit', removeOnExit);
  }
}

const timeout = setTimeout(() => {
  console.error(`bench:core: gave up after ${HARD_TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, HARD_TIMEOUT_MS);
timeout.unref();
try {
  process.exitCode = await main();
} catch (err) {
  console.error(`bench:core: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
