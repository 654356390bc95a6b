import { describe, expect, it } from 'vitest';
import { consentGate, type ConsentPolicy } from '../privacy/consent';
import { bidAudience, userKeyFor } from './audience';
import { parseBidRequest, type BidRequest } from './request-schema';

function request(extra: Record<string, unknown> = {}): BidRequest {
  const r = parseBidRequest({ id: 'r', imp: [{ id: '1', banner: { w: 300, h: 250 } }], site: { id: 's' }, ...extra });
  if (!r.ok) throw new Error(`fixture invalid: ${JSON.stringify(r.issues)}`);
  return r.value;
}

const POLICY: ConsentPolicy = { tcfVendorId: 777, gdprWithoutConsent: 'no_bid' };

/** The key a request is looked up by, after the consent gate: what the edge does. */
function lookupKey(extra: Record<string, unknown>): ReturnType<typeof userKeyFor> {
  const audience = bidAudience(request(extra));
  return userKeyFor(audience.userKeys, consentGate(audience.consent, POLICY));
}

describe('bidAudience: which id is looked up', () => {
  it('prefers our synced buyeruid, then the device ifa, then the exchange user id, each in its own id space', () => {
    expect(lookupKey({ user: { id: 'exch-1', buyeruid: 'ours-1' }, device: { ifa: 'AAAA-1111' } })).toEqual({ kind: 'uid', value: 'ours-1' });
    expect(lookupKey({ user: { id: 'exch-1' }, device: { ifa: 'AAAA-1111' } })).toEqual({ kind: 'ifa', value: 'AAAA-1111' });
    expect(lookupKey({ user: { id: 'exch-1' } })).toEqual({ kind: 'xid', value: 'exch-1' });
    expect(bidAudience(request({ user: { id: 'exch-1', buyeruid: 'ours-1' }, device: { ifa: 'AAAA-1111' } })).userKeys.map((k) => k.kind)).toEqual(['uid', 'ifa', 'xid']);
  });

  it.each([
    ['Limit Ad Tracking', { lmt: 1 }],
    ['Do Not Track', { dnt: 1 }],
    ['ATT not determined', { ext: { atts: 0 } }],
    ['ATT restricted', { ext: { atts: 1 } }],
    ['ATT denied', { ext: { atts: 2 } }],
  ])('under %s uses only our first-party id: no ifa, no exchange id', (_what, device) => {
    expect(lookupKey({ user: { id: 'exch-1' }, device: { ifa: 'AAAA-1111', ...device } })).toBeNull();
    expect(lookupKey({ user: { buyeruid: 'ours-1', id: 'exch-1' }, device: { ifa: 'AAAA-1111', ...device } })).toEqual({ kind: 'uid', value: 'ours-1' });
  });

  it('uses the device id once ATT is authorized', () => {
    expect(lookupKey({ device: { ifa: 'AAAA-1111', ext: { atts: 3 } } })).toEqual({ kind: 'ifa', value: 'AAAA-1111' });
  });

  it('looks nobody up without behavioural consent, not even by our own id', () => {
    expect(lookupKey({ user: { buyeruid: 'ours-1' }, regs: { coppa: 1 } })).toBeNull();
    expect(lookupKey({ user: { buyeruid: 'ours-1' }, regs: { us_privacy: '1YYN' } })).toBeNull();
    expect(lookupKey({ user: { buyeruid: 'ours-1' }, regs: { gdpr: 1 } })).toBeNull();
  });

  it('skips placeholder ids and falls through to the next usable one', () => {
    expect(lookupKey({ device: { ifa: '00000000-0000-0000-0000-000000000000' } })).toBeNull();
    expect(lookupKey({ user: { buyeruid: '0', id: 'null' }, device: { ifa: 'AAAA-1111' } })).toEqual({ kind: 'ifa', value: 'AAAA-1111' });
  });

  it('reads consent signals in both the 2.6 and the 2.5 ext spellings', () => {
    expect(bidAudience(request({ regs: { gdpr: 1, us_privacy: '1YNN', gpp_sid: [7], coppa: 0 }, user: { consent: 'CP' } })).consent).toEqual({
      gdprApplies: true,
      tcString: 'CP',
      usPrivacy: '1YNN',
      gppSid: [7],
      coppa: false,
      lmt: false,
      dnt: false,
    });
    expect(bidAudience(request({ regs: { ext: { gdpr: 0, us_privacy: '1---', gpp_sid: [8] } }, user: { ext: { consent: 'CQ' } } })).consent).toEqual({
      gdprApplies: false,
      tcString: 'CQ',
      usPrivacy: '1---',
      gppSid: [8],
      coppa: false,
      lmt: false,
      dnt: false,
    });
  });

  it('reads the device signals: lmt, dnt and an integer ATT status from device.ext', () => {
    expect(bidAudience(request({ device: { lmt: 1, dnt: 1, ext: { atts: 2 } } })).consent).toMatchObject({ lmt: true, dnt: true, atts: 2 });
    expect(bidAudience(request({ device: { ext: { atts: '2' } } })).consent.atts).toBeUndefined();
    expect(bidAudience(request({ device: { ext: { atts: 1.5 } } })).consent.atts).toBeUndefined();
  });
});
