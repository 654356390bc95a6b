/**
 * The engine through the real worker: video, native and deal bids against the demo catalog,
 * the explain trace on request, and an explained no-bid carrying `nbr`.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { post } from './helpers';

const bid = z.object({
  impid: z.string(),
  price: z.number(),
  adm: z.string(),
  crid: z.string(),
  mtype: z.number(),
  dealid: z.string().optional(),
  nurl: z.string(),
  burl: z.string(),
  ext: z.object({ edgebid: z.object({ lineItemId: z.string() }) }),
});
const bidResponse = z.object({
  id: z.string(),
  nbr: z.number().optional(),
  seatbid: z.array(z.object({ seat: z.string(), bid: z.array(bid) })).optional(),
  ext: z.object({ edgebid: z.object({ profileSource: z.string(), trace: z.unknown().optional() }) }),
});

function request(imp: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: `req-${crypto.randomUUID()}`, imp: [{ id: '1', ...imp }], site: { id: 's1', domain: 'news.example' }, tmax: 500, ...extra };
}

async function bids(body: unknown, query = ''): Promise<z.infer<typeof bidResponse>> {
  const res = await post(`/openrtb2/bid${query}`, body);
  expect(res.status).toBe(200);
  return bidResponse.parse(await res.json());
}

const nativeRequest = JSON.stringify({
  ver: '1.2',
  assets: [
    { id: 1, required: 1, title: { len: 90 } },
    { id: 2, required: 1, img: { type: 3, wmin: 600, hmin: 300 } },
    { id: 3, required: 0, data: { type: 2, len: 140 } },
  ],
});

describe('media beyond banners', () => {
  it('answers a video imp with VAST (mtype 2) from a video creative that fits mimes, duration and protocols', async () => {
    const res = await bids(request({ video: { mimes: ['video/mp4'], minduration: 5, maxduration: 30, protocols: [2, 3] } }));
    const b = res.seatbid?.[0]?.bid[0];
    expect(b).toMatchObject({ impid: '1', crid: 'cr-northwind-video-15s', mtype: 2, price: 0.9 });
    expect(b?.adm).toContain('<VAST');
    expect(b?.adm).toContain('/v1/t/');
  });
  it('answers no-bid when no video creative is short enough', async () => {
    const res = await post('/openrtb2/bid', request({ video: { mimes: ['video/mp4'], maxduration: 10 } }));
    expect(res.status).toBe(204);
  });
  it('answers a native imp with a Native 1.2 response echoing the request asset ids (mtype 4)', async () => {
    const res = await bids(request({ native: { request: nativeRequest, ver: '1.2' } }));
    const b = res.seatbid?.[0]?.bid[0];
    expect(b).toMatchObject({ crid: 'cr-northwind-native', mtype: 4 });
    const adm: unknown = JSON.parse(b?.adm ?? '{}');
    expect(JSON.stringify(adm)).toContain('Northwind Coffee: roasted this week');
    expect(JSON.stringify(adm)).toMatch(/"id":2/);
  });
});

describe('deals', () => {
  it('bids into a private auction only with the deal line item, at its price, carrying dealid', async () => {
    const res = await bids(
      request({
        video: { mimes: ['video/mp4'], maxduration: 30 },
        pmp: { private_auction: 1, deals: [{ id: 'deal-northwind-preroll', bidfloor: 6 }] },
      }),
    );
    expect(res.seatbid?.[0]?.bid[0]).toMatchObject({ dealid: 'deal-northwind-preroll', price: 8, ext: { edgebid: { lineItemId: 'li-northwind-pmp-video' } } });
  });
  it('stays out of a private auction whose deals are not ours', async () => {
    const res = await post('/openrtb2/bid', request({ banner: { w: 300, h: 250 }, pmp: { private_auction: 1, deals: [{ id: 'someone-else' }] } }));
    expect(res.status).toBe(204);
  });
});

describe('explain', () => {
  it('?debug=1 attaches the per-line-item trace to a bid', async () => {
    const res = await bids(request({ banner: { w: 300, h: 250 } }), '?debug=1');
    const trace = z
      .object({ consent: z.object({ mode: z.string() }), slots: z.array(z.object({ outcome: z.string(), lineItems: z.array(z.object({ lineItemId: z.string(), outcome: z.string() })) })) })
      .parse(res.ext.edgebid.trace);
    expect(trace.slots[0]?.outcome).toBe('bid');
    expect(trace.slots[0]?.lineItems).toEqual(expect.arrayContaining([expect.objectContaining({ lineItemId: 'li-acme-cart-retargeting', outcome: 'no_targeting_match' })]));
  });
  it('an explained no-bid is a 200 BidResponse with nbr instead of a 204', async () => {
    const res = await bids(request({ banner: { w: 1, h: 1 } }, { test: 1 }));
    expect(res.seatbid).toBeUndefined();
    expect(res.nbr).toBe(508);
  });
});
