/// <reference types="vite/types/importMeta.d.ts" />
/**
 * The golden decision runner. Every case in cases/*.json goes the whole pure path an exchange
 * request takes — parseBidRequest → planBid → decide → renderAd — against the golden catalog cut
 * down to the line items the case names. decide() runs three ways (candidate index, linear scan,
 * explain), which must agree; then the case's hand-computed expectations are checked. Pure code
 * only, so it runs in the `core` (Node) project.
 */
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/core/catalog/catalog-schema';
import { compileCatalog, type CompiledCatalog } from '../../src/core/catalog/compile';
import { dynamicFill } from '../../src/core/creative/dynamic';
import { renderAd } from '../../src/core/creative/render';
import { decide, type DecisionInput, type SlotDecision } from '../../src/core/engine/decide';
import { explainTrace } from '../../src/core/engine/explain';
import type { Slot } from '../../src/core/engine/request-context';
import type { CatalogDocument } from '../../src/core/model';
import { planBid } from '../../src/core/openrtb/plan';
import { parseBidRequest } from '../../src/core/openrtb/request-schema';
import baseRequest from './base-request.json';
import rawCatalog from './catalog.json';
import {
  caseFileSchema,
  caseNowMs,
  deepMerge,
  resolveProfile,
  type ExplainExpectation,
  type GoldenCase,
  type ImpExpectation,
} from './case-format';

const SEAT = 'edgebid';
const URLS = { clickUrl: 'https://edge.test/v1/t/click?c=1&x=2', impressionUrl: 'https://edge.test/v1/t/imp?i=1' };
const MTYPE = { banner: 1, video: 2, native: 4 } as const;

const parsedCatalog = parseCatalog(rawCatalog);
const catalogDoc: CatalogDocument | null = parsedCatalog.ok ? parsedCatalog.value : null;

const files = import.meta.glob<unknown>('./cases/*.json', { eager: true, import: 'default' });
const caseFiles = Object.entries(files)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([path, raw]) => ({ file: path.replace('./cases/', ''), parsed: caseFileSchema.safeParse(raw) }));

/** The catalog cut down to the case's line items (campaigns, creatives and models all stay). */
const subsets = new Map<string, CompiledCatalog>();
function catalogFor(doc: CatalogDocument, ids: readonly string[]): CompiledCatalog {
  const key = [...ids].sort().join(',');
  const hit = subsets.get(key);
  if (hit) return hit;
  const known = new Set(doc.lineItems.map((li) => li.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`unknown line items: ${unknown.join(', ')}`);
  const compiled = compileCatalog({ ...doc, lineItems: doc.lineItems.filter((li) => ids.includes(li.id)) });
  subsets.set(key, compiled);
  return compiled;
}

/** What must not depend on how candidates were found. */
function comparable(d: SlotDecision): Record<string, unknown> {
  if (d.kind === 'no_bid') return { slotId: d.slotId, kind: d.kind, reason: d.reason, heldOut: d.heldOut };
  return {
    slotId: d.slotId,
    kind: d.kind,
    lineItemId: d.lineItem.item.id,
    creativeId: d.creative.id,
    media: d.media,
    priceMicros: d.priceMicros,
    dealId: d.dealId,
    heldOut: d.heldOut,
    dynamic: d.dynamic,
    dealSeeker: d.dealSeeker,
  };
}

function runCase(doc: CatalogDocument, c: GoldenCase): void {
  const parsed = parseBidRequest(deepMerge(baseRequest, c.request));
  if (!parsed.ok) throw new Error(`the case's request is invalid: ${JSON.stringify(parsed.issues)}`);
  const plan = planBid(parsed.value, { seat: SEAT, currency: doc.currency, currencyRates: doc.currencyRates }, { preciseGeo: c.preciseGeo, userData: true });
  const nowMs = caseNowMs(c);
  const catalog = catalogFor(doc, c.lineItems);
  const input = (engine: 'index' | 'linear', explain: boolean): DecisionInput => ({
    request: plan.request,
    slots: plan.slots,
    profile: c.profile === null ? null : resolveProfile(c.profile, nowMs),
    userHash: c.userHash,
    pacing: (campaignId) => c.pacing[campaignId],
    nowMs,
    rng: () => 0,
    explain,
    engine,
  });
  const indexed = decide(catalog, input('index', false));
  const linear = decide(catalog, input('linear', false));
  const explained = decide(catalog, input('index', true));
  expect(linear.map(comparable), 'linear scan = candidate index').toEqual(indexed.map(comparable));
  expect(explained.map(comparable), 'explain run = candidate index').toEqual(indexed.map(comparable));

  expect(Object.keys(c.expect).sort(), 'every imp has an expectation').toEqual(plan.slots.map((s) => s.id).sort());
  const trace = explainTrace(explained, { consent: { mode: 'golden', reason: 'golden', checks: [] }, profileSource: 'none', catalogVersion: doc.version });
  for (const [i, slot] of plan.slots.entries()) {
    const want = c.expect[slot.id];
    const got = indexed[i];
    const traced = explained[i];
    if (!want || !got || !traced) throw new Error(`imp ${slot.id}: missing decision or expectation`);
    checkDecision(slot.id, got, want);
    checkExplain(slot.id, traced, want.explain ?? {}, c.lineItems);
    expect(trace.slots[i]?.outcome, `imp ${slot.id}: explained outcome`).toBe(got.kind === 'bid' ? 'bid' : 'no_bid');
    if (got.kind === 'bid') checkAdm(slot, got, want);
  }
}

function checkDecision(impId: string, got: SlotDecision, want: ImpExpectation): void {
  const actual =
    got.kind === 'bid'
      ? {
          bid: {
            lineItemId: got.lineItem.item.id,
            creativeId: got.creative.id,
            media: got.media,
            priceMicros: got.priceMicros,
            ...(got.dealId !== undefined ? { dealId: got.dealId } : {}),
          },
        }
      : { noBid: got.reason };
  const wanted = want.bid ? { bid: want.bid } : { noBid: want.noBid };
  expect(actual, `imp ${impId}: decision`).toEqual(wanted);
  expect(got.heldOut, `imp ${impId}: held-out record`).toEqual(want.heldOut);
}

function checkExplain(impId: string, traced: SlotDecision, want: Readonly<Record<string, ExplainExpectation>>, lineItems: readonly string[]): void {
  const entries = traced.trace ?? [];
  // A slot closed before any line item is looked at has an empty trace; otherwise every line item is in it, once.
  if (entries.length > 0 || Object.keys(want).length > 0) {
    expect(entries.map((e) => e.lineItemId).sort(), `imp ${impId}: explain lists every line item`).toEqual([...lineItems].sort());
  }
  for (const [lineItemId, expected] of Object.entries(want)) {
    const entry = entries.find((e) => e.lineItemId === lineItemId);
    const w = typeof expected === 'string' ? { outcome: expected } : expected;
    const actual = {
      outcome: entry?.outcome,
      ...(w.priceMicros !== undefined ? { priceMicros: entry?.priceMicros } : {}),
      ...(w.dealId !== undefined ? { dealId: entry?.dealId } : {}),
    };
    expect(actual, `imp ${impId}: explain ${lineItemId}`).toEqual(w);
  }
}

function checkAdm(slot: Slot, got: Extract<SlotDecision, { kind: 'bid' }>, want: ImpExpectation): void {
  const ad = renderAd(got.creative, got.media, slot, URLS, dynamicFill(got.creative, got.dynamic, got.dealSeeker));
  expect(ad.mtype, `imp ${slot.id}: mtype`).toBe(MTYPE[got.media]);
  expect(ad.adm.length, `imp ${slot.id}: adm`).toBeGreaterThan(0);
  for (const s of want.admContains ?? []) expect(ad.adm, `imp ${slot.id}: adm contains`).toContain(s);
  for (const s of want.admExcludes ?? []) expect(ad.adm, `imp ${slot.id}: adm excludes`).not.toContain(s);
}

describe('golden catalog', () => {
  it('passes parseCatalog', () => {
    expect(parsedCatalog.ok ? [] : parsedCatalog.issues).toEqual([]);
  });

  it('case files parse, names are unique, and every line item is used by some case', () => {
    const problems = caseFiles.flatMap(({ file, parsed }) => (parsed.success ? [] : [`${file}: ${parsed.error.message}`]));
    expect(problems).toEqual([]);
    const cases = caseFiles.flatMap(({ parsed }) => (parsed.success ? parsed.data : []));
    const names = cases.map((c) => c.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i), 'duplicate case names').toEqual([]);
    const used = new Set(cases.flatMap((c) => c.lineItems));
    expect((catalogDoc?.lineItems ?? []).map((li) => li.id).filter((id) => !used.has(id)), 'unused line items').toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(45);
  });
});

for (const { file, parsed } of caseFiles) {
  describe(file, () => {
    const cases = parsed.success ? parsed.data : [];
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      if (!catalogDoc) throw new Error('the golden catalog is invalid (see "passes parseCatalog")');
      runCase(catalogDoc, c);
    });
  });
}
