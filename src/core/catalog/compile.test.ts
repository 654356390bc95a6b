import { describe, expect, it } from 'vitest';
import { decide, type DecisionInput, type SlotDecision } from '../engine/decide';
import type { Slot } from '../engine/request-context';
import type { CatalogDocument, LineItem } from '../model';
import { SEED_SEGMENT_RULES } from '../segments/seed-rules';
import { compileCatalog } from './compile';

const NOW_MS = 1_800_000_000_000;

function lineItem(id: string, extra: Partial<LineItem> = {}): LineItem {
  return {
    id,
    campaignId: 'cmp',
    name: id,
    status: 'active',
    targeting: null,
    baseCpmMicros: 1_000_000,
    maxCpmMicros: 3_000_000,
    adjustments: [],
    frequencyCaps: [],
    creativeIds: ['cr-a'],
    priority: 1,
    ...extra,
  };
}

const banner = (id: string, status?: 'active' | 'paused') =>
  ({
    id,
    advertiserId: 'adv',
    format: 'banner',
    w: 300,
    h: 250,
    markup: '<div></div>',
    clickUrl: 'https://adv.example/',
    categories: [],
    attributes: [],
    weight: 1,
    ...(status ? { status } : {}),
  }) as const;

const doc: CatalogDocument = {
  version: 1,
  currency: 'USD',
  currencyRates: {},
  advertisers: [{ id: 'adv', name: 'Advertiser', domains: ['adv.example'], categories: [] }],
  campaigns: [{ id: 'cmp', advertiserId: 'adv', name: 'Campaign', conversion: { eventTypes: ['purchase'], suppressWithinSec: 0 }, holdoutPct: 0 }],
  lineItems: [lineItem('li')],
  creatives: [banner('cr-a'), banner('cr-b')],
  lookalikeModels: [{ id: 'lal', advertiserId: 'adv', intercept: 2, weights: [] }],
};

const slot: Slot = { id: '1', banner: { sizes: [{ w: 300, h: 250 }], blockedAttributes: [] }, floorMicros: 0, deals: [], privateAuction: false, keyValues: {} };
const profile: DecisionInput['profile'] = { version: 1, updatedAtMs: NOW_MS, segments: {}, conversions: {} };

/** The decision on both engines: the no-bid reason, or the bid's price and creative. */
function outcome(catalogDoc: CatalogDocument): string[] {
  return [run(catalogDoc, 'index'), run(catalogDoc, 'linear')].map(([d]) => (d?.kind === 'no_bid' ? d.reason : d?.kind === 'bid' ? `bid ${d.priceMicros} ${d.creative.id}` : 'none'));
}

/** Each line item's own outcome, from the explain trace. */
function traced(catalogDoc: CatalogDocument): string[] {
  return (run(catalogDoc, 'linear', true)[0]?.trace ?? []).map((t) => `${t.lineItemId}: ${t.outcome}`);
}

function run(catalogDoc: CatalogDocument, engine: 'index' | 'linear', explain = false): SlotDecision[] {
  const catalog = compileCatalog(catalogDoc);
  return (
    decide(catalog, {
      request: {
        geo: { country: 'USA' },
        device: {},
        inventory: { kind: 'site', domain: 'news.example', categories: [] },
        keywords: [],
        auctionType: 2,
        blockedCategories: [],
        blockedDomains: [],
        blockedApps: [],
      },
      slots: [slot],
      profile,
      userHash: null,
      nowMs: NOW_MS,
      rng: () => 0,
      explain,
      engine,
    })
  );
}

describe('compileCatalog: paused entities', () => {
  it('serves the plain catalog (the baseline the cases below change)', () => {
    expect(outcome(doc)).toEqual(['bid 1000000 cr-a', 'bid 1000000 cr-a']);
  });

  it('a paused advertiser makes all its line items inactive', () => {
    const paused = { ...doc, advertisers: doc.advertisers.map((a) => ({ ...a, status: 'paused' as const })), lineItems: [lineItem('li'), lineItem('li-2')] };
    expect(compileCatalog(paused).lineItems.map((li) => li.active)).toEqual([false, false]);
    expect(traced(paused)).toEqual(['li: inactive', 'li-2: inactive']);
    // The slot reports no_targeting_match as its floor reason (README, "No-bid reasons").
    expect(outcome(paused)).toEqual(['no_targeting_match', 'no_targeting_match']);
    const resumed = { ...paused, advertisers: doc.advertisers.map((a) => ({ ...a, status: 'active' as const })) };
    expect(compileCatalog(resumed).lineItems.map((li) => li.active)).toEqual([true, true]);
  });

  it('a paused creative is dropped from its line items; one left with none answers no_creative_fits', () => {
    const both = { ...doc, lineItems: [lineItem('li', { creativeIds: ['cr-a', 'cr-b'] })], creatives: [banner('cr-a', 'paused'), banner('cr-b')] };
    expect(compileCatalog(both).lineItems[0]?.creatives.map((c) => c.id)).toEqual(['cr-b']);
    expect(outcome(both)).toEqual(['bid 1000000 cr-b', 'bid 1000000 cr-b']);
    const only = { ...doc, creatives: [banner('cr-a', 'paused'), banner('cr-b')] };
    expect(compileCatalog(only).lineItems[0]?.creatives).toEqual([]);
    expect(outcome(only)).toEqual(['no_creative_fits', 'no_creative_fits']);
  });

  it('a paused lookalike model scores null: score leaves false, score adjustments ×1', () => {
    const paused = { ...doc, lookalikeModels: doc.lookalikeModels.map((m) => ({ ...m, status: 'paused' as const })) };
    expect(compileCatalog(paused).models.has('lal')).toBe(false);
    expect(compileCatalog(doc).models.has('lal')).toBe(true);

    const targeted = (d: CatalogDocument): CatalogDocument => ({ ...d, lineItems: [lineItem('li', { targeting: { score: { model: 'lal', atLeast: 0.5 } } })] });
    expect(outcome(targeted(doc))).toEqual(['bid 1000000 cr-a', 'bid 1000000 cr-a']);
    expect(outcome(targeted(paused))).toEqual(['no_targeting_match', 'no_targeting_match']);

    // logistic(2) ≈ 0.88: the curve doubles the price while the model is active.
    const adjusted = (d: CatalogDocument): CatalogDocument => ({ ...d, lineItems: [lineItem('li', { adjustments: [{ kind: 'score', model: 'lal', curve: [[0, 2]] }] })] });
    expect(outcome(adjusted(doc))).toEqual(['bid 2000000 cr-a', 'bid 2000000 cr-a']);
    expect(outcome(adjusted(paused))).toEqual(['bid 1000000 cr-a', 'bid 1000000 cr-a']);
  });

  it('a paused segment rule is left out of the rules the profile pipeline evaluates', () => {
    const rules = SEED_SEGMENT_RULES.map((r) => (r.id === 'cart_abandoners' ? { ...r, status: 'paused' as const } : r));
    const ids = compileCatalog({ ...doc, segmentRules: rules }).segmentRules.map((r) => r.id);
    expect(ids).not.toContain('cart_abandoners');
    expect(ids).toHaveLength(SEED_SEGMENT_RULES.length - 1);
  });
});
