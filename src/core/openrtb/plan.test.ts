import { describe, expect, it } from 'vitest';
import { bidAudience } from './audience';
import { planBid } from './plan';
import { parseBidRequest, type BidRequest } from './request-schema';

const money = { seat: 'edgebid', currency: 'USD', currencyRates: { EUR: 1.1 } };

function request(extra: Record<string, unknown> = {}, imp: Record<string, unknown> = {}): BidRequest {
  const r = parseBidRequest({ id: 'r', imp: [{ id: '1', banner: { w: 300, h: 250 }, ...imp }], site: { id: 's' }, ...extra });
  if (!r.ok) throw new Error(`fixture invalid: ${JSON.stringify(r.issues)}`);
  return r.value;
}

describe('bidAudience: which id is looked up', () => {
  it('prefers our synced buyeruid, then the device ifa, then the exchange user id, each in its own id space', () => {
    expect(bidAudience(request({ user: { id: 'exch-1', buyeruid: 'ours-1' }, device: { ifa: 'AAAA-1111' } })).userKey).toEqual({ kind: 'uid', value: 'ours-1' });
    expect(bidAudience(request({ user: { id: 'exch-1' }, device: { ifa: 'AAAA-1111' } })).userKey).toEqual({ kind: 'ifa', value: 'AAAA-1111' });
    expect(bidAudience(request({ user: { id: 'exch-1' } })).userKey).toEqual({ kind: 'xid', value: 'exch-1' });
  });
  it('under Limit Ad Tracking uses only our first-party id: no ifa, no exchange id', () => {
    expect(bidAudience(request({ user: { id: 'exch-1' }, device: { ifa: 'AAAA-1111', lmt: 1 } })).userKey).toBeNull();
    expect(bidAudience(request({ user: { buyeruid: 'ours-1' }, device: { ifa: 'AAAA-1111', lmt: 1 } })).userKey).toEqual({ kind: 'uid', value: 'ours-1' });
  });
  it('skips placeholder ids and falls through to the next usable one', () => {
    expect(bidAudience(request({ device: { ifa: '00000000-0000-0000-0000-000000000000' } })).userKey).toBeNull();
    expect(bidAudience(request({ user: { buyeruid: '0', id: 'null' }, device: { ifa: 'AAAA-1111' } })).userKey).toEqual({ kind: 'ifa', value: 'AAAA-1111' });
  });
  it('reads consent signals in both the 2.6 and the 2.5 ext spellings', () => {
    expect(bidAudience(request({ regs: { gdpr: 1, us_privacy: '1YNN', gpp_sid: [7], coppa: 0 }, user: { consent: 'CP' } })).consent).toEqual({
      gdprApplies: true,
      tcString: 'CP',
      usPrivacy: '1YNN',
      gppSid: [7],
      coppa: false,
    });
    expect(bidAudience(request({ regs: { ext: { gdpr: 0, us_privacy: '1---', gpp_sid: [8] } }, user: { ext: { consent: 'CQ' } } })).consent).toEqual({
      gdprApplies: false,
      tcString: 'CQ',
      usPrivacy: '1---',
      gppSid: [8],
      coppa: false,
    });
  });
});

describe('planBid', () => {
  it('takes sizes from banner.format, else banner w/h', () => {
    expect(planBid(request({}, { banner: { format: [{ w: 728, h: 90 }, { w: 970, h: 250 }], w: 1, h: 1 } }), money).slots[0]?.sizes).toEqual([
      { w: 728, h: 90 },
      { w: 970, h: 250 },
    ]);
    expect(planBid(request(), money).slots[0]?.sizes).toEqual([{ w: 300, h: 250 }]);
    expect(planBid(request({}, { banner: undefined, video: { mimes: ['video/mp4'] } }), money).slots[0]?.sizes).toEqual([]);
  });
  it('converts the floor to catalog micros and refuses when our currency is not accepted', () => {
    expect(planBid(request({}, { bidfloor: 2, bidfloorcur: 'EUR' }), money).slots[0]?.floorMicros).toBe(2_200_000);
    expect(planBid(request({ cur: ['EUR'] }), money).slots[0]?.floorMicros).toBeNull();
  });
  it('closes private auctions (we carry no deals) and auctions that exclude our seat', () => {
    expect(planBid(request({}, { pmp: { private_auction: 1, deals: [{ id: 'd1' }] } }), money).slots[0]?.closed).toBe('deals_only');
    expect(planBid(request({}, { pmp: { private_auction: 0, deals: [{ id: 'd1' }] } }), money).slots[0]?.closed).toBeUndefined();
    expect(planBid(request({ wseat: ['other'] }), money).slots[0]?.closed).toBe('seat_blocked');
    expect(planBid(request({ bseat: ['edgebid'] }), money).slots[0]?.closed).toBe('seat_blocked');
    expect(planBid(request({ wseat: ['edgebid'] }), money).slots[0]?.closed).toBeUndefined();
  });
  it('passes request blocks through and reads the explain switch from ext.edgebid', () => {
    const plan = planBid(request({ bcat: ['IAB25'], badv: ['x.example'], ext: { edgebid: { explain: true } } }), money);
    expect(plan).toMatchObject({ blockedCategories: ['IAB25'], blockedDomains: ['x.example'], explain: true });
    expect(planBid(request({ ext: { edgebid: { explain: 'yes' } } }), money).explain).toBe(false);
  });
});
