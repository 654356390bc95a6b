// `npm run conformance [corpusDir]`: OpenRTB conformance of the REAL worker.
//
// Starts the worker in-process with wrangler's programmatic API (local mode, throwaway state
// directory, random port, fixed test secrets, demo catalog on, offline), POSTs the raw bytes of
// every request in the corpus to /openrtb2/bid (8 at a time) and checks each status:
//
//   valid/**                 200 or 204
//   invalid/ortb-spec/*      400 with an error body { error: { code, status, message, path?, issues? } };
//                            204 is tolerated only when no imp offers a media type we bid on; never 200
//   invalid/pbs-strict/*     any non-5xx (spec-legal requests Prebid refuses; counts reported)
//   invalid/pbs-ext/*        any non-5xx (Prebid-specific ext / host policy; counts reported)
//   invalid/converter-specific/*  any non-5xx (counts reported)
//
// A 5xx or a failed request is a miss in every set. Prints a table per set and every miss; exits
// 1 on any miss (or if the worker cannot be started), 0 otherwise. The worker is always stopped,
// and the whole run is bounded (5 min). `corpusDir` defaults to ../shared/corpus/openrtb relative
// to the project root; `*.expected.txt` sidecars and INDEX.md are skipped.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { authHeaders, LOCAL_AUTH_VARS } from './lib/local-auth.mjs';
import { PROJECT_ROOT, startLocalWorker } from './lib/local-worker.mjs';

const CORPUS = resolve(process.argv[2] ?? join(PROJECT_ROOT, '../shared/corpus/openrtb'));
const CONCURRENCY = 8;
const RUN_TIMEOUT_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 20_000;
/** Media types the engine can bid on; an ortb-spec request offering none of them may get a 204. */
const BID_MEDIA = ['banner'];
const VARS = { USER_KEY_SECRET: 'conformance-user-key', TRACKING_SECRET: 'conformance-tracking', DEMO_CATALOG: 'on', EXPLAIN: 'on', ...LOCAL_AUTH_VARS };

const SETS = [
  { name: 'valid', dir: 'valid', recursive: true, check: checkValid },
  { name: 'ortb-spec', dir: 'invalid/ortb-spec', recursive: false, check: checkOrtbSpec },
  { name: 'pbs-strict', dir: 'invalid/pbs-strict', recursive: false, check: checkNon5xx },
  { name: 'pbs-ext', dir: 'invalid/pbs-ext', recursive: false, check: checkNon5xx },
  { name: 'converter-specific', dir: 'invalid/converter-specific', recursive: false, check: checkNon5xx },
];

// Each check gets a non-5xx outcome and returns why it is a miss, or null.

function checkValid(o) {
  if (o.status === 200 || o.status === 204) return null;
  return `expected 200/204${describeError(o.body)}`;
}

function checkOrtbSpec(o) {
  if (o.status === 400) return errorBodyProblem(o.body);
  if (o.status === 204 && !offersBidMedia(o.bytes)) return null;
  if (o.status === 204) return 'accepted (204) although it offers a media type we bid on';
  return `expected 400${describeError(o.body)}`;
}

/** 5xx and failed requests are misses in every set (checked by the caller); anything else is fine. */
function checkNon5xx() {
  return null;
}

/** The 400 body must be our error envelope. */
function errorBodyProblem(body) {
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    return '400 without a JSON body';
  }
  const e = json?.error;
  const ok =
    e && typeof e === 'object' && typeof e.code === 'string' && e.status === 400 && typeof e.message === 'string' &&
    (e.path === undefined || typeof e.path === 'string') &&
    (e.issues === undefined || (Array.isArray(e.issues) && e.issues.every((i) => typeof i?.path === 'string' && typeof i?.message === 'string')));
  if (!ok) return '400 body is not { error: { code, status: 400, message, path?, issues? } }';
  // A schema failure must name the field; only unparseable bodies (invalid_json) have none.
  if (e.code !== 'invalid_json' && typeof e.path !== 'string') return `400 ${e.code} without a field path`;
  return null;
}

function offersBidMedia(bytes) {
  try {
    const req = JSON.parse(bytes.toString('utf8'));
    return Array.isArray(req?.imp) && req.imp.some((imp) => BID_MEDIA.some((m) => imp?.[m] !== undefined));
  } catch {
    return true; // not JSON: must be a 400
  }
}

function describeError(body) {
  try {
    const e = JSON.parse(body)?.error;
    if (e) return ` (${e.code}${e.path ? ` at ${e.path}` : ''}: ${e.issues?.[0]?.message ?? e.message})`;
  } catch {
    // not JSON
  }
  return '';
}

async function listJson(dir, recursive) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) out.push(...(await listJson(p, true)));
    } else if (entry.name.endsWith('.json') && !entry.name.endsWith('.expected.txt')) {
      out.push(p);
    }
  }
  return out.sort();
}

async function post(url, bytes) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), REQUEST_TIMEOUT_MS);
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders('/openrtb2/bid') }, body: bytes, signal: ctrl.signal });
    return { status: res.status, body: await res.text(), noBid: res.headers.get('x-edgebid-no-bid') };
  } catch (err) {
    return { status: /** @type {const} */ ('ERR'), body: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

function printTable(rows) {
  const head = ['set', 'files', '200', '204', '400', 'other', 'misses'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function main() {
  /** @type {ReturnType<typeof startLocalWorker> | undefined} */
  let worker;
  const stop = () => worker?.stop() ?? Promise.resolve();
  const timeout = setTimeout(() => {
    console.error(`conformance: gave up after ${RUN_TIMEOUT_MS / 1000} s`);
    process.exitCode = 1;
    void stop().finally(() => process.exit(1));
  }, RUN_TIMEOUT_MS);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      // Set first: wrangler's own signal listener may call process.exit() before we are done.
      process.exitCode = 130;
      void stop().finally(() => process.exit(130));
    });
  }

  try {
    const sets = [];
    for (const s of SETS) sets.push({ ...s, files: await listJson(join(CORPUS, s.dir), s.recursive) });
    if (sets[0].files.length === 0) throw new Error(`no corpus at ${CORPUS}`);

    console.log(`conformance: starting the worker (${relative(process.cwd(), join(PROJECT_ROOT, 'wrangler.toml')) || 'wrangler.toml'})`);
    worker = startLocalWorker({ vars: VARS, tag: 'conformance' });
    const { url: base } = await worker.ready;
    const bidUrl = new URL('/openrtb2/bid', base);
    console.log(`conformance: worker up at ${base.origin}; corpus ${CORPUS}`);

    const rows = [];
    const misses = [];
    const noBidReasons = new Map();
    for (const s of sets) {
      const outcomes = await pool(s.files, CONCURRENCY, async (file) => {
        const bytes = await readFile(file);
        const { status, body, noBid } = await post(bidUrl, bytes);
        return { set: s.name, file, status, body, bytes, noBid };
      });
      const count = (st) => outcomes.filter((o) => o.status === st).length;
      let setMisses = 0;
      for (const o of outcomes) {
        const why = o.status === 'ERR' ? `request failed: ${o.body}` : o.status >= 500 ? `server error ${o.status}${describeError(o.body)}` : s.check(o);
        if (why) {
          setMisses++;
          misses.push(`${s.name}  ${relative(join(CORPUS, s.dir), o.file)}  ${o.status}  ${why}`);
        }
      }
      for (const o of outcomes) {
        for (const r of o.noBid?.split(',') ?? []) noBidReasons.set(r, (noBidReasons.get(r) ?? 0) + 1);
      }
      const known = count(200) + count(204) + count(400);
      rows.push([s.name, outcomes.length, count(200), count(204), count(400), outcomes.length - known, setMisses]);
    }

    console.log('');
    printTable(rows);
    const reasons = [...noBidReasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`);
    console.log(`\n204 no-bid reasons (X-Edgebid-No-Bid, all sets): ${reasons.join(', ') || 'none'}`);
    if (misses.length > 0) {
      console.log(`\n${misses.length} miss(es):`);
      for (const m of misses) console.log(`  ${m}`);
    } else {
      console.log('\nno misses');
    }
    const checked = rows.reduce((n, r) => n + r[1], 0);
    console.log(`conformance: ${checked - misses.length} passed, ${misses.length} failed`);
    return misses.length === 0 ? 0 : 1;
  } catch (err) {
    console.error(`conformance: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    clearTimeout(timeout);
    await stop();
  }
}

process.exitCode = await main();
// wrangler can leave handles open after dispose; the run is over either way.
process.exit(process.exitCode);
