import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../catalog/compile';
import { DEMO_CATALOG } from '../catalog/demo-catalog';
import { decide } from './decide';
import type { PacingState, RequestContext } from './request-context';

const catalog = compileCatalog(DEMO_CATALOG);
const request: RequestContext = {
  geo: {},
  device: {},
  inventory: { kind: 'unknown', categories: [] },
  keywords: [],
  auctionType: 2,
  blockedCategories: [],
  blockedDomains: [],
  blockedApps: [],
};

function outcomeOf(state: PacingState | undefined): string | undefined {
  const [d] = decide(catalog, {
    request,
    slots: [{ id: '1', banner: { sizes: [{ w: 300, h: 250 }], blockedAttributes: [] }, floorMicros: 0, deals: [], privateAuction: false, keyValues: {} }],
    profile: null,
    userHash: null,
    pacing: (cmp) => (cmp === 'cmp-acme-prospecting' ? state : undefined),
    nowMs: 0,
    rng: () => 0,
    explain: true,
  });
  return d?.trace?.find((t) => t.lineItemId === 'li-acme-prospecting')?.outcome;
}

describe('pacing input', () => {
  it('tells a spent budget from a campaign pacing held back this time', () => {
    expect(outcomeOf({ multiplier: 1, exhausted: true })).toBe('budget_exhausted');
    expect(outcomeOf({ multiplier: 1, exhausted: false, paced: true })).toBe('paced');
    expect(outcomeOf({ multiplier: 1, exhausted: false, paced: false })).toBe('candidate');
    expect(outcomeOf(undefined)).toBe('candidate');
  });
});

describe('deal choice', () => {
  it('bids in the cheapest deal the line item targets, whatever order the exchange listed them in', () => {
    const run = (deals: { id: string; floorMicros: number | null }[]) =>
      decide(catalog, {
        request,
        slots: [{ id: '1', video: { mimes: ['video/mp4'], protocols: [], blockedAttributes: [] }, floorMicros: 0, deals, privateAuction: true, keyValues: {} }],
        profile: null,
        userHash: null,
        nowMs: 0,
        rng: () => 0,
        explain: false,
      })[0];
    // The demo PMP line item targets one deal id; offered twice at different floors, in either order.
    const cheap = { id: 'deal-northwind-preroll', floorMicros: 6_000_000 };
    const dear = { id: 'deal-northwind-preroll', floorMicros: 20_000_000 };
    expect(run([dear, cheap])).toMatchObject({ kind: 'bid', dealId: 'deal-northwind-preroll', priceMicros: 8_000_000 });
    expect(run([cheap, dear])).toMatchObject({ kind: 'bid', priceMicros: 8_000_000 });
    expect(run([{ id: 'deal-northwind-preroll', floorMicros: null }, dear])).toMatchObject({ kind: 'no_bid', reason: 'below_floor' });
  });
});
