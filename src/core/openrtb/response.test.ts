import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../catalog/compile';
import { DEMO_CATALOG } from '../catalog/demo-catalog';
import { decide } from '../engine/decide';
import { explainTrace } from '../engine/explain';
import type { RequestContext, Slot } from '../engine/request-context';
import { buildBidResponse, type TrackedBid } from './response';

const catalog = compileCatalog(DEMO_CATALOG);
const urls = {
  nurl: 'https://e.example/w?p=${AUCTION_PRICE}',
  burl: 'https://e.example/b?p=${AUCTION_PRICE}',
  impressionUrl: 'https://e.example/i?a=1&b=2',
  clickUrl: 'https://e.example/c"x',
};
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
const slot = (sizes: { w: number; h: number }[]): Slot => ({
  id: 'imp-1',
  banner: { sizes, blockedAttributes: [] },
  floorMicros: 0,
  deals: [],
  privateAuction: false,
  keyValues: {},
});

function build(slots: Slot[], withTrace: boolean) {
  const ds = decide(catalog, { request, slots, profile: null, userHash: null, nowMs: 0, rng: () => 0, explain: withTrace });
  const bids: TrackedBid[] = ds.flatMap((d) => (d.kind === 'bid' ? [{ bid: d, urls }] : []));
  const trace = withTrace ? { trace: explainTrace(ds, { consent: { mode: 'behavioural', reason: 'no_restriction', checks: [] }, profileSource: 'kv', catalogVersion: 1 }) } : {};
  return buildBidResponse({ requestId: 'req', responseId: 'resp', currency: 'USD', seat: 'edgebid', catalogVersion: 1, decisions: ds, slots, profileSource: 'kv', bids, ...trace });
}

describe('buildBidResponse', () => {
  it('builds a BidResponse whose bid carries what exchanges require', () => {
    const res = build([slot([{ w: 300, h: 250 }])], true);
    expect(res).toMatchObject({
      id: 'req',
      bidid: 'resp',
      cur: 'USD',
      seatbid: [
        {
          seat: 'edgebid',
          bid: [
            {
              id: 'resp-0',
              impid: 'imp-1',
              price: 1.2,
              crid: 'cr-acme-brand-300x250',
              w: 300,
              h: 250,
              mtype: 1,
              nurl: urls.nurl,
              burl: urls.burl,
              adomain: ['acme-outdoor.example'],
              cat: ['IAB17'],
            },
          ],
        },
      ],
      ext: { edgebid: { profileSource: 'kv', catalogVersion: 1 } },
    });
    expect(res?.ext?.edgebid.trace?.slots).toEqual([expect.objectContaining({ impid: 'imp-1', outcome: 'bid', lineItemId: 'li-acme-prospecting' })]);
  });
  it('fills our macros with attribute-escaped URLs and leaves exchange macros alone', () => {
    const adm = build([slot([{ w: 300, h: 250 }])], false)?.seatbid?.[0].bid[0]?.adm ?? '';
    expect(adm).toContain('href="https://e.example/c&quot;x"');
    expect(adm).toContain('src="https://e.example/i?a=1&amp;b=2"');
  });
  it('is null when nothing bids, so the edge can answer 204', () => {
    expect(build([slot([{ w: 1, h: 1 }])], false)).toBeNull();
  });
  it('carries nbr and the trace for a no-bid the caller asked to explain', () => {
    const res = build([slot([{ w: 1, h: 1 }])], true);
    expect(res).toMatchObject({ id: 'req', nbr: 508 });
    expect(res?.seatbid).toBeUndefined();
    expect(res?.ext?.edgebid.trace?.slots[0]).toMatchObject({ outcome: 'no_bid', reason: 'no_creative_fits', code: 8, nbr: 508 });
  });
});
