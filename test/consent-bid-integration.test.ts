/**
 * The consent gate on the bid path, in workerd with the real UserProfile objects and KV.
 *
 * "The profile was not touched" is shown two ways: for a new user, the object never appears in
 * the namespace's list of objects (listDurableObjectIds lists an object as soon as anything
 * activates it, a read included — the first test checks that with a consented control); for a
 * user who already has a profile, the request runs against an env whose USER_PROFILE and
 * PROFILE_SNAPSHOTS bindings count every call, and the count stays zero.
 */
import { createExecutionContext, listDurableObjectIds, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { inHoldout } from '../src/core/engine/suppression';
import { grantingTcString, gppString, tcString, TEST_VENDOR_ID } from '../src/core/privacy/consent-strings.testing';
import { hashUserKey } from '../src/http/crypto';
import { TEST_TOKENS } from './auth-fixtures';
import { bannerRequest, event, eventually, ORIGIN, post, profileStub } from './helpers';

interface BidResponseBody {
  seatbid: { bid: { price: number; ext: { edgebid: { lineItemId: string } } }[] }[];
}

const GRANTED = grantingTcString();

function gdprBid(user: string, tc: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return bannerRequest(user, { regs: { gdpr: 1 }, user: { buyeruid: user, ...(tc !== undefined ? { consent: tc } : {}) }, ...extra });
}

async function objectExists(user: string): Promise<boolean> {
  const { stub } = await profileStub(user);
  return (await listDurableObjectIds(env.USER_PROFILE)).some((id) => id.equals(stub.id));
}

/** Wraps a binding so every method call on it is counted (the calls still reach the real binding). */
function counted<T extends object>(binding: T, onCall: () => void): T {
  return new Proxy(binding, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        onCall();
        return Reflect.apply(value, target, args) as unknown;
      };
    },
  });
}

/** Calls the worker with `overrides` over the test env and profile storage that counts its use. */
async function bidWithCountedProfiles(body: unknown, overrides: Partial<Env> = {}): Promise<{ res: Response; profileCalls: number }> {
  let profileCalls = 0;
  const count = (): void => {
    profileCalls++;
  };
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${ORIGIN}/openrtb2/bid`, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${TEST_TOKENS.exchange}` } }),
    { ...env, ...overrides, USER_PROFILE: counted(env.USER_PROFILE, count), PROFILE_SNAPSHOTS: counted(env.PROFILE_SNAPSHOTS, count) },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { res, profileCalls };
}

const winner = async (res: Response): Promise<{ price: number; lineItemId: string } | undefined> => {
  const bid = (await res.json<BidResponseBody>()).seatbid[0]?.bid[0];
  return bid && { price: bid.price, lineItemId: bid.ext.edgebid.lineItemId };
};

/** A first-party id outside the Acme retargeting campaign's 10 % holdout (held-out users never see it). */
async function servedUser(): Promise<string> {
  for (;;) {
    const user = `consent-cart-${crypto.randomUUID()}`;
    if (!inHoldout(await hashUserKey(env.USER_KEY_SECRET, { kind: 'uid', value: user }), 'cmp-acme-retargeting', 10)) return user;
  }
}

/** A user whose profile (built through consented events) makes them an Acme cart abandoner. */
async function cartAbandoner(): Promise<string> {
  const user = await servedUser();
  const res = await post('/v1/events', { consent: { gdpr: 1, tcString: GRANTED }, events: [event(user, 'add_to_cart', { productId: 'tent-2p' })] });
  expect(res.status).toBe(202);
  await eventually('the consented profile to retarget', async () => {
    const bid = await post('/openrtb2/bid', gdprBid(user, GRANTED));
    return bid.status === 200 && (await winner(bid))?.lineItemId === 'li-acme-cart-retargeting' ? true : undefined;
  });
  return user;
}

describe('consent gate on POST /openrtb2/bid', () => {
  it('test vendor id is the one the TC strings are built for', () => {
    expect(env.TCF_VENDOR_ID).toBe(String(TEST_VENDOR_ID));
  });

  it('GDPR without a TC string: no bid, and the user’s profile object is never created or read', async () => {
    const user = `consent-none-${crypto.randomUUID()}`;
    const res = await post('/openrtb2/bid', gdprBid(user, undefined));
    expect(res.status).toBe(204);
    expect(res.headers.get('x-edgebid-consent')).toBe('gdpr_consent_missing');
    expect(res.headers.get('x-edgebid-profile-source')).toBe('none');
    expect(await objectExists(user)).toBe(false);

    // Control: the same request with consent reads the (new, empty) object, and the list shows it.
    const control = `consent-control-${crypto.randomUUID()}`;
    const granted = await post('/openrtb2/bid', gdprBid(control, GRANTED));
    expect(granted.status).toBe(200);
    expect(granted.headers.get('x-edgebid-consent')).toBe('tcf_granted');
    expect(granted.headers.get('x-edgebid-profile-source')).toBe('do');
    expect(await objectExists(control)).toBe(true);
  });

  it.each([
    ['garbage', 'not-a-tc-string', 'gdpr_consent_malformed'],
    ['nothing granted', tcString({}), 'tcf_purpose_2_missing'],
  ])('GDPR with a TC string (%s): no bid, no profile object', async (_what, tc, reason) => {
    const user = `consent-nobid-${crypto.randomUUID()}`;
    const res = await post('/openrtb2/bid', gdprBid(user, tc));
    expect(res.status).toBe(204);
    expect(res.headers.get('x-edgebid-consent')).toBe(reason);
    expect(await objectExists(user)).toBe(false);
  });

  it('with a TC string granting everything: the behavioural decision from the profile; without it, the existing profile is not touched', async () => {
    const user = await cartAbandoner();

    const consented = await bidWithCountedProfiles(gdprBid(user, GRANTED));
    expect(consented.res.status).toBe(200);
    expect(consented.res.headers.get('x-edgebid-profile-source')).toBe('do');
    expect(await winner(consented.res)).toEqual({ price: 4, lineItemId: 'li-acme-cart-retargeting' });
    expect(consented.profileCalls).toBeGreaterThan(0);

    const missing = await bidWithCountedProfiles(gdprBid(user, undefined));
    expect(missing.res.status).toBe(204);
    expect(missing.res.headers.get('x-edgebid-consent')).toBe('gdpr_consent_missing');
    expect(missing.profileCalls).toBe(0);

    // Basic ads allowed, profiling not (no Purpose 1): a contextual bid that never looks at the profile.
    const noP1 = tcString({ purposeConsents: [2, 3, 4], vendorConsents: [TEST_VENDOR_ID] });
    const contextual = await bidWithCountedProfiles(gdprBid(user, noP1));
    expect(contextual.res.status).toBe(200);
    expect(contextual.res.headers.get('x-edgebid-consent')).toBe('tcf_purpose_1_missing');
    expect(contextual.res.headers.get('x-edgebid-profile-source')).toBe('none');
    expect(await winner(contextual.res)).toEqual({ price: 1.2, lineItemId: 'li-acme-prospecting' });
    expect(contextual.profileCalls).toBe(0);
  });

  it('configured GDPR_WITHOUT_CONSENT=contextual: a contextual decision for the same request, profile untouched', async () => {
    const user = await cartAbandoner();
    const { res, profileCalls } = await bidWithCountedProfiles(gdprBid(user, undefined), { GDPR_WITHOUT_CONSENT: 'contextual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-edgebid-consent')).toBe('gdpr_consent_missing');
    expect(res.headers.get('x-edgebid-profile-source')).toBe('none');
    // The cart abandoner would get retargeting at $4.00: contextual means prospecting.
    expect(await winner(res)).toEqual({ price: 1.2, lineItemId: 'li-acme-prospecting' });
    expect(profileCalls).toBe(0);
  });

  it.each([
    ['a US Privacy opt-out', { regs: { us_privacy: '1YYN' } }, 'us_privacy_opt_out'],
    ['a GPP US-national sale opt-out', { regs: { gpp: gppString({ usnat: { SaleOptOutNotice: 1, SaleOptOut: 1 } }), gpp_sid: [7] } }, 'gpp_us_opt_out'],
    ['COPPA', { regs: { coppa: 1 } }, 'coppa'],
  ])('%s: contextual for a known cart abandoner, profile untouched', async (_what, overrides, reason) => {
    const user = await cartAbandoner();
    const { res, profileCalls } = await bidWithCountedProfiles(bannerRequest(user, overrides));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-edgebid-consent')).toBe(reason);
    expect(await winner(res)).toEqual({ price: 1.2, lineItemId: 'li-acme-prospecting' });
    expect(profileCalls).toBe(0);
  });

  it('LMT and ATT denied: behavioural through our first-party id only, never through the device id', async () => {
    const user = await cartAbandoner();
    for (const device of [{ lmt: 1 }, { ext: { atts: 2 } }]) {
      const viaUid = await post('/openrtb2/bid', gdprBid(user, GRANTED, { device: { ifa: 'ABCDEF01-2345-6789-ABCD-EF0123456789', ...device } }));
      expect(viaUid.status).toBe(200);
      expect(await winner(viaUid)).toEqual({ price: 4, lineItemId: 'li-acme-cart-retargeting' });
    }
    const ifaOnly = `consent-ifa-${crypto.randomUUID()}`;
    const res = await post('/openrtb2/bid', bannerRequest(undefined, { device: { ifa: ifaOnly, lmt: 1 } }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-edgebid-consent')).toBe('lmt');
    expect(res.headers.get('x-edgebid-profile-source')).toBe('none');
  });
});
