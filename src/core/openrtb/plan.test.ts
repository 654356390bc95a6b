import { describe, expect, it } from 'vitest';
import { planBid } from './plan';
import { parseBidRequest, type BidRequest } from './request-schema';

const money = { seat: 'edgebid', currency: 'USD', currencyRates: { EUR: 1.1 } };

function request(extra: Record<string, unknown> = {}, imp: Record<string, unknown> = {}): BidRequest {
  const r = parseBidRequest({ id: 'r', imp: [{ id: '1', banner: { w: 300, h: 250 }, ...imp }], site: { id: 's' }, ...extra });
  if (!r.ok) throw new Error(`fixture invalid: ${JSON.stringify(r.issues)}`);
  return r.value;
}

const allow = { preciseGeo: true, userData: true };

describe('planBid: slots', () => {
  it('takes banner sizes from format[], else w/h, and carries video and native specs', () => {
    expect(planBid(request({}, { banner: { format: [{ w: 728, h: 90 }, { w: 970, h: 250 }], w: 1, h: 1 } }), money, allow).slots[0]?.banner?.sizes).toEqual([
      { w: 728, h: 90 },
      { w: 970, h: 250 },
    ]);
    expect(planBid(request(), money, allow).slots[0]?.banner?.sizes).toEqual([{ w: 300, h: 250 }]);
    const video = planBid(request({}, { banner: undefined, video: { mimes: ['video/mp4'], maxduration: 30 } }), money, allow).slots[0];
    expect(video?.banner).toBeUndefined();
    expect(video?.video).toMatchObject({ mimes: ['video/mp4'], maxDurationSec: 30 });
  });
  it('converts the floor to catalog micros and refuses when our currency is not accepted', () => {
    expect(planBid(request({}, { bidfloor: 2, bidfloorcur: 'EUR' }), money, allow).slots[0]?.floorMicros).toBe(2_200_000);
    expect(planBid(request({ cur: ['EUR'] }), money, allow).slots[0]?.floorMicros).toBeNull();
  });
  it('carries deals with their own floors (falling back to the imp floor), minus deals for other seats', () => {
    const slot = planBid(
      request({}, { bidfloor: 1, pmp: { private_auction: 1, deals: [{ id: 'd1', bidfloor: 3, bidfloorcur: 'EUR' }, { id: 'd2' }, { id: 'd3', wseat: ['other'] }] } }),
      money,
      allow,
    ).slots[0];
    expect(slot?.privateAuction).toBe(true);
    expect(slot?.deals).toEqual([
      { id: 'd1', floorMicros: 3_300_000 },
      { id: 'd2', floorMicros: 1_000_000 },
    ]);
  });
  it('closes auctions that exclude our seat', () => {
    expect(planBid(request({ wseat: ['other'] }), money, allow).slots[0]?.closed).toBe('seat_blocked');
    expect(planBid(request({ bseat: ['edgebid'] }), money, allow).slots[0]?.closed).toBe('seat_blocked');
    expect(planBid(request({ wseat: ['edgebid'] }), money, allow).slots[0]?.closed).toBeUndefined();
  });
  it('reads key-values from imp.ext.data over site.ext.data, as strings', () => {
    const slot = planBid(request({ site: { id: 's', ext: { data: { section: 'news', page: 2 } } } }, { ext: { data: { section: ['sports'], nested: { x: 1 } } } }), money, allow).slots[0];
    expect(slot?.keyValues).toEqual({ section: ['sports'], page: ['2'] });
  });
});

describe('planBid: request context', () => {
  it('normalises geo, device, inventory and keywords', () => {
    const plan = planBid(
      request({
        site: { id: 's', page: 'https://www.News.example/a?b', cat: ['IAB12'], pagecat: ['IAB12-3'], publisher: { id: 'pub-1' }, keywords: 'Hiking, tents', content: { kwarray: ['camping'] } },
        device: { devicetype: 4, os: 'iOS', make: 'Apple', geo: { country: 'usa', region: 'ca', metro: '807', zip: '94107', utcoffset: -420 } },
        user: { keywords: 'tents' },
        at: 1,
      }),
      money,
      allow,
    );
    expect(plan.request).toMatchObject({
      geo: { country: 'USA', region: 'CA', metro: '807', postal: '94107', utcOffsetMinutes: -420 },
      device: { type: 4, os: 'ios', make: 'apple' },
      inventory: { kind: 'site', domain: 'www.news.example', publisherId: 'pub-1', categories: ['IAB12', 'IAB12-3'] },
      auctionType: 1,
    });
    expect([...plan.request.keywords].sort()).toEqual(['camping', 'hiking', 'tents']);
  });
  it("leaves the user's own keywords out without behavioural consent, keeps the page's", () => {
    const req = request({ site: { id: 's', keywords: 'tents' }, user: { keywords: 'diabetes', kwarray: ['pregnancy'] } });
    expect(planBid(req, money, { preciseGeo: false, userData: false }).request.keywords).toEqual(['tents']);
    expect([...planBid(req, money, allow).request.keywords].sort()).toEqual(['diabetes', 'pregnancy', 'tents']);
  });
  it('drops precise geo when the consent does not allow it', () => {
    const plan = planBid(request({ device: { geo: { country: 'DEU', metro: 'x', zip: '10115' } } }), money, { preciseGeo: false, userData: true });
    expect(plan.request.geo).toEqual({ country: 'DEU' });
  });
  it('passes request blocks through and reads the explain switch from test=1 or ext.edgebid', () => {
    const plan = planBid(request({ bcat: ['IAB25'], badv: ['X.example'], bapp: ['com.x'], ext: { edgebid: { explain: true } } }), money, allow);
    expect(plan.request).toMatchObject({ blockedCategories: ['IAB25'], blockedDomains: ['x.example'], blockedApps: ['com.x'] });
    expect(plan.explainRequested).toBe(true);
    expect(planBid(request({ test: 1 }), money, allow).explainRequested).toBe(true);
    expect(planBid(request({ ext: { edgebid: { explain: 'yes' } } }), money, allow).explainRequested).toBe(false);
  });
});
