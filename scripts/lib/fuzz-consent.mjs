// In-process fuzzing of the consent gate (`consentGate` in src/core/privacy/consent.ts), bundled
// with esbuild so Node can run the TypeScript. Inputs: TC strings and GPP strings (US national
// and state sections with random opt-outs, with or without a TCF section) built by the IAB's own
// encoders, damaged copies of them, US Privacy strings, random text, and every combination of
// COPPA, LMT, DNT, ATT and GDPR flags.
// Properties: never throws; answers a known mode with a reason; same input, same answer; within
// the time bound; COPPA, a US Privacy opt-out, and GDPR where the IAB decoder reads no TC string
// (neither `tcString` nor any GPP section) are never behavioural; no device ids under COPPA, LMT,
// DNT or an ATT status other than authorised.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { GppModel } from '@iabgpp/cmpapi';
import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';
import * as esbuild from 'esbuild';
import fc from 'fast-check';
import { PROJECT_ROOT } from './local-worker.mjs';

const MODES = ['behavioural', 'contextual', 'no_bid'];
const VENDOR_ID = 777;

async function loadGate(modulePath) {
  const dir = await mkdtemp(join(tmpdir(), 'edgebid-fuzz-consent-'));
  try {
    const outfile = join(dir, 'consent.mjs');
    await esbuild.build({ entryPoints: [join(PROJECT_ROOT, modulePath)], bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'error' });
    const mod = await import(outfile);
    if (typeof mod.consentGate !== 'function') throw new Error(`${modulePath} does not export consentGate`);
    return mod.consentGate;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let gvl;
function testGvl() {
  const named = (ids) => Object.fromEntries(ids.map((id) => [String(id), { id, name: `item ${id}`, description: '' }]));
  gvl ??= new GVL({
    gvlSpecificationVersion: 3,
    vendorListVersion: 1,
    tcfPolicyVersion: 5,
    lastUpdated: '2026-01-01T00:00:00Z',
    purposes: named([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    specialPurposes: named([1, 2, 3]),
    features: named([1, 2, 3]),
    specialFeatures: named([1, 2]),
    stacks: {},
    vendors: Object.fromEntries(
      [VENDOR_ID, 91, 5].map((id) => [
        String(id),
        {
          id,
          name: `vendor ${id}`,
          purposes: [1, 2, 3, 4],
          legIntPurposes: [],
          flexiblePurposes: [2],
          specialPurposes: [],
          features: [],
          specialFeatures: [1],
          policyUrl: 'https://vendor.example/privacy',
        },
      ]),
    ),
  });
  return gvl;
}

const idSet = (max) => fc.uniqueArray(fc.integer({ min: 1, max }), { maxLength: max });

/** TC strings from the IAB encoder (random purposes, LI, vendors, special features). */
const tcStringBuilt = fc
  .record({ pc: idSet(11), pli: idSet(11), vc: fc.uniqueArray(fc.constantFrom(VENDOR_ID, 91, 5)), sf: idSet(2) })
  .map(({ pc, pli, vc, sf }) => {
    const m = new TCModel(testGvl());
    m.cmpId = 10;
    m.cmpVersion = 1;
    m.purposeConsents.set(pc);
    m.purposeLegitimateInterests.set(pli);
    m.vendorConsents.set(vc);
    m.specialFeatureOptins.set(sf);
    return TCString.encode(m);
  });

const US_SECTIONS = ['usnat', 'usca', 'usva', 'usco', 'usut', 'usct'];
const OPT_OUT_FIELDS = ['SaleOptOut', 'SharingOptOut', 'TargetedAdvertisingOptOut'];

/** GPP strings from the IAB encoder: US sections with random opt-out values (0 n/a, 1 opted out, 2 not), maybe a TCF section. */
const gppStringBuilt = fc
  .record({
    us: fc.array(fc.record({ section: fc.constantFrom(...US_SECTIONS), field: fc.constantFrom(...OPT_OUT_FIELDS), value: fc.integer({ min: 0, max: 2 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
    tcf: fc.option(tcStringBuilt),
  })
  .map(({ us, tcf }) => {
    const m = new GppModel();
    for (const { section, field, value } of us) {
      // Not every state section has every field; the encoder says so by throwing.
      try {
        m.setFieldValue(section, field, value);
      } catch {
        // skip the field
      }
    }
    if (tcf !== null) m.decodeSection('tcfeuv2', tcf);
    return m.encode();
  });
function damageString(s, ops) {
  let t = s;
  for (const { kind, at, text } of ops) {
    const i = t.length === 0 ? 0 : at % t.length;
    if (kind === 'flip') t = t.slice(0, i) + (t[i] === 'A' ? 'g' : 'A') + t.slice(i + 1);
    else if (kind === 'cut') t = t.slice(0, i);
    else t = t.slice(0, i) + text + t.slice(i);
  }
  return t;
}
const stringOps = fc.array(fc.record({ kind: fc.constantFrom('flip', 'cut', 'add'), at: fc.nat(), text: fc.string({ maxLength: 6 }) }), { minLength: 1, maxLength: 3 });

const junk = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('', ' ', '~', '~~~', 'C', 'CO', '\ud800', 'x'.repeat(5_000)));

const GPP_SAMPLES = [
  'DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA',
  'DBABzw~1YNN~BVVqAAEABCA.QA',
  'DBABL~BVVqAAEABCA.QA',
  'DBABBgA~xlgWEYCZAA',
  'DBACNY~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN',
  'DBABjw~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN',
];

/** Encoding is the slow part of generation: strings are built into pools once per run, then damaged per input. */
function signalsArb(tcPool, gppPool) {
  const tc = fc.constantFrom(...tcPool);
  const gpp = fc.constantFrom(...GPP_SAMPLES, ...gppPool);
  return fc.record(
    {
      gdprApplies: fc.boolean(),
      tcString: fc.oneof(
        { weight: 3, arbitrary: tc },
        { weight: 3, arbitrary: fc.tuple(tc, stringOps).map(([t, ops]) => damageString(t, ops)) },
        { weight: 2, arbitrary: junk },
      ),
      usPrivacy: fc.oneof(fc.stringMatching(/^1[YN-][YN-][YN-]$/), fc.constantFrom('1---', '1YYY', '1yny', '2YYN', '1Y', ''), junk),
      gpp: fc.oneof({ weight: 3, arbitrary: gpp }, { weight: 3, arbitrary: fc.tuple(gpp, stringOps).map(([g, ops]) => damageString(g, ops)) }, { weight: 1, arbitrary: junk }),
      gppSid: fc.array(fc.oneof(fc.integer({ min: -2, max: 25 }), fc.integer()), { maxLength: 8 }),
      coppa: fc.boolean(),
      lmt: fc.boolean(),
      dnt: fc.boolean(),
      atts: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.integer()),
    },
    { requiredKeys: [] },
  );
}

const policy = fc.record({
  tcfVendorId: fc.oneof(fc.constant(VENDOR_ID), fc.constant(null), fc.integer({ min: 0, max: 5_000 })),
  gdprWithoutConsent: fc.constantFrom('no_bid', 'contextual'),
});

const decoded = new Map();
function decodable(tc) {
  let ok = decoded.get(tc);
  if (ok === undefined) {
    try {
      TCString.decode(tc);
      ok = true;
    } catch {
      ok = false;
    }
    if (decoded.size > 100_000) decoded.clear();
    decoded.set(tc, ok);
  }
  return ok;
}

/** Why this answer is wrong, or null. */
function problem(s, p, out, again) {
  if (!out || typeof out !== 'object') return 'not a decision object';
  if (!MODES.includes(out.mode)) return `unknown mode ${String(out.mode)}`;
  if (typeof out.reason !== 'string' || out.reason === '') return 'no reason';
  if (!isDeepStrictEqual(out, again)) return 'two calls with the same input disagree';
  if (s.coppa && out.mode === 'behavioural') return 'COPPA request is behavioural';
  if (typeof s.usPrivacy === 'string' && /^1[YN-][Yy][YN-]$/i.test(s.usPrivacy) && out.mode === 'behavioural') return 'US Privacy opt-out is behavioural';
  // A TC string may also arrive inside GPP (section 2): only when nothing anywhere decodes.
  const tcCandidates = [s.tcString, ...(typeof s.gpp === 'string' ? s.gpp.split('~') : [])].filter((t) => typeof t === 'string');
  if (s.gdprApplies && !tcCandidates.some(decodable) && out.mode === 'behavioural') return 'GDPR without a decodable TC string is behavioural';
  if (out.deviceIds === true && (s.coppa || s.lmt || s.dnt || [0, 1, 2].includes(s.atts))) return 'device ids allowed under COPPA / LMT / DNT / ATT not authorised';
  return null;
}

/**
 * A call's cost: the lesser of its wall time (inflated when other processes hold the cores) and
 * this process's CPU time (inflated when its other threads — GC, the worker starting up
 * meanwhile — are busy). A call slow by both is slow; the least of four measurements counts.
 */
function measure(fn) {
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const u = process.cpuUsage(u0);
  return Math.min(wall, (u.user + u.system) / 1_000);
}

/**
 * @param {{ count: number, seed: number, slowMs: number, modulePath: string, deadlineMs: number }} opts
 * @returns {Promise<{ inputs: number, modes: Record<string, number>, findings: { kind: string, detail: string, input: unknown }[], maxMs: number, ms: number }>}
 */
export async function fuzzConsent({ count, seed, slowMs, modulePath, deadlineMs }) {
  const gate = await loadGate(modulePath);
  const started = performance.now();
  const tcPool = fc.sample(tcStringBuilt, { numRuns: 300, seed });
  const gppPool = fc.sample(gppStringBuilt, { numRuns: 200, seed: seed + 1 });
  const input = fc.tuple(signalsArb(tcPool, gppPool), policy);
  const modes = {};
  const findings = [];
  let maxMs = 0;
  let done = 0;
  // Small chunks: between them the event loop lets the worker's build and start-up progress.
  const chunk = 250;
  for (let round = 0; done < count && Date.now() < deadlineMs; round++) {
    const n = Math.min(chunk, count - done);
    const cases = fc.sample(input, { numRuns: n, seed: seed + round * 7_919 });
    for (const [s, p] of cases) {
      let out;
      let again;
      let ms;
      try {
        ms = measure(() => {
          out = gate(s, p);
          again = gate(s, p);
        }) / 2;
      } catch (err) {
        findings.push({ kind: 'throws', detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err), input: { signals: s, policy: p } });
        continue;
      }
      for (let retry = 0; retry < 3 && ms > slowMs; retry++) ms = Math.min(ms, measure(() => gate(s, p)));
      maxMs = Math.max(maxMs, ms);
      if (ms > slowMs) findings.push({ kind: 'slow', detail: `${ms.toFixed(1)} ms`, input: { signals: s, policy: p } });
      const why = problem(s, p, out, again);
      if (why) findings.push({ kind: 'wrong', detail: why, input: { signals: s, policy: p, decision: out } });
      modes[out?.mode] = (modes[out?.mode] ?? 0) + 1;
    }
    done += n;
    // Let the event loop breathe: the worker is being built and started meanwhile.
    await new Promise((res) => setImmediate(res));
  }
  return { inputs: done, modes, findings, maxMs, ms: performance.now() - started };
}
