import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../catalog/compile';
import { DEMO_CATALOG } from '../catalog/demo-catalog';
import { decide } from '../engine/decide';
import { buildBidResponse, renderMarkup, type TrackedBid } from './response';

const catalog = compileCatalog(DEMO_CATALOG);
const urls = { nurl: 'https://e.example/w?p=${AUCTION_PRICE}', impressionUrl: 'https://e.example/i?a=1&b=2', clickUrl: 'https://e.example/c"x' };

function decisions(sizes: { w: number; h: number }[]) {
  return decide(catalog, { slots: [{ id: 'imp-1', sizes, floorMicros: 0 }], profile: null, blockedCategories: [], blockedDomains: [], nowMs: 0, rng: () => 0, explain: true });
}

function build(ds: ReturnType<typeof decisions>) {
  const bids: TrackedBid[] = ds.flatMap((d) => (d.kind === 'bid' ? [{ bid: d, urls }] : []));
  return buildBidResponse({ requestId: 'req', responseId: 'resp', currency: 'USD', seat: 'edgebid', catalogVersion: 1, decisions: ds, profileSource: 'kv', explain: true, bids });
}

describe('buildBidResponse', () => {
  it('builds a BidResponse whose bid carries what exchanges require', () => {
    const res = build(decisions([{ w: 300, h: 250 }]));
    expect(res).toMatchObject({
      id: 'req',
      bidid: 'resp',
      cur: 'USD',
      seatbid: [{ seat: 'edgebid', bid: [{ id: 'resp-0', impid: 'imp-1', price: 1.2, crid: 'cr-acme-brand-300x250', w: 300, h: 250, nurl: urls.nurl, adomain: ['acme-outdoor.example'], cat: ['IAB17'] }] }],
      ext: { edgebid: { profileSource: 'kv', catalogVersion: 1 } },
    });
    expect(res?.ext.edgebid.trace).toEqual([expect.objectContaining({ impid: 'imp-1', outcome: 'bid', lineItemId: 'li-acme-prospecting' })]);
  });
  it('is null when nothing bids, so the edge can answer 204', () => {
    expect(build(decisions([{ w: 1, h: 1 }]))).toBeNull();
  });
});

describe('renderMarkup', () => {
  it('fills our macros with attribute-escaped URLs and leaves exchange macros alone', () => {
    const html = renderMarkup('<a href="${CLICK_URL}"><img src="${IMPRESSION_URL}">${AUCTION_PRICE}</a>', urls);
    expect(html).toBe('<a href="https://e.example/c&quot;x"><img src="https://e.example/i?a=1&amp;b=2">${AUCTION_PRICE}</a>');
  });
});
