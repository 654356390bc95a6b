/**
 * Regression: the candidate index leaves out line items whose creatives have no format the imp
 * accepts, and the index path used to report such no-bids as `no_targeting_match` while the
 * linear scan and the explain trace said `no_creative_fits` (found by the golden cases).
 */
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../catalog/compile';
import type { CatalogDocument, LineItem } from '../model';
import { decide, type DecisionInput, type SlotDecision } from './decide';
import type { Slot } from './request-context';

const NOW_MS = 1_800_000_000_000;

function lineItem(id: string, campaignId: string, extra: Partial<LineItem> = {}): LineItem {
  return {
    id,
    campaignId,
    name: id,
    status: 'active',
    targeting: null,
    baseCpmMicros: 1_000_000,
    maxCpmMicros: 1_000_000,
    adjustments: [],
    frequencyCaps: [],
    creativeIds: ['cr-300x250'],
    priority: 1,
    ...extra,
  };
}

const doc: CatalogDocument = {
  version: 1,
  currency: 'USD',
  currencyRates: {},
  advertisers: [{ id: 'adv', name: 'Advertiser', domains: ['adv.example'], categories: [] }],
  campaigns: [
    { id: 'cmp', advertiserId: 'adv', name: 'Campaign', conversion: { eventTypes: ['purchase'], suppressWithinSec: 0 }, holdoutPct: 0 },
    { id: 'cmp-suppress', advertiserId: 'adv', name: 'Buyers excluded', conversion: { eventTypes: ['purchase'], suppressWithinSec: 86_400 }, holdoutPct: 0 },
  ],
  lineItems: [
    lineItem('li-plain', 'cmp'),
    lineItem('li-suppressed', 'cmp-suppress', { priority: 2 }),
    lineItem('li-other-country', 'cmp', { targeting: { geo: { country: ['CAN'] } } }),
  ],
  creatives: [
    { id: 'cr-300x250', advertiserId: 'adv', format: 'banner', w: 300, h: 250, markup: '<div></div>', clickUrl: 'https://adv.example/', categories: [], attributes: [], weight: 1 },
  ],
  lookalikeModels: [],
};

const slot = (w: number, h: number): Slot => ({
  id: '1',
  banner: { sizes: [{ w, h }], blockedAttributes: [] },
  floorMicros: 0,
  deals: [],
  privateAuction: false,
  keyValues: {},
});

function reasons(catalogDoc: CatalogDocument, s: Slot, profile: DecisionInput['profile']): string[] {
  const catalog = compileCatalog(catalogDoc);
  const run = (engine: 'index' | 'linear'): SlotDecision[] =>
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
      slots: [s],
      profile,
      userHash: null,
      nowMs: NOW_MS,
      rng: () => 0,
      explain: false,
      engine,
    });
  return [run('index'), run('linear')].map(([d]) => (d?.kind === 'no_bid' ? d.reason : 'bid'));
}

describe('decide: no-bid reasons on the index path match the linear scan', () => {
  it('reports a size no creative has as no_creative_fits', () => {
    expect(reasons({ ...doc, lineItems: doc.lineItems.filter((li) => li.id !== 'li-suppressed') }, slot(320, 50), null)).toEqual([
      'no_creative_fits',
      'no_creative_fits',
    ]);
  });

  it('keeps the reason of a line item that stopped before creative choice', () => {
    const buyer = { version: 1, updatedAtMs: NOW_MS, segments: {}, conversions: { 'purchase@adv': NOW_MS - 3_600_000 } };
    const onlySuppressed = { ...doc, lineItems: doc.lineItems.filter((li) => li.id === 'li-suppressed') };
    expect(reasons(onlySuppressed, slot(320, 50), buyer)).toEqual(['suppressed_converted', 'suppressed_converted']);
  });

  it('still says no_targeting_match when targeting is what failed', () => {
    const onlyCanada = { ...doc, lineItems: doc.lineItems.filter((li) => li.id === 'li-other-country') };
    expect(reasons(onlyCanada, slot(300, 250), null)).toEqual(['no_targeting_match', 'no_targeting_match']);
  });
});
