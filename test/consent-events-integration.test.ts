/**
 * The consent gate on `POST /v1/events`, through the real queue, consumer and UserProfile
 * objects: only events whose consent allows profiling reach a profile; the others are accepted
 * (never an error) and counted by reason. "No profile was built" means the user's object was
 * never created (listDurableObjectIds) and no KV snapshot exists.
 */
import { listDurableObjectIds } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { gppString, grantingTcString, tcString, TEST_VENDOR_ID } from '../src/core/privacy/consent-strings.testing';
import { event, eventually, post, profileStub } from './helpers';

const GRANTED = grantingTcString();

async function untouched(user: string): Promise<boolean> {
  const { stub, hash } = await profileStub(user);
  const created = (await listDurableObjectIds(env.USER_PROFILE)).some((id) => id.equals(stub.id));
  return !created && (await env.PROFILE_SNAPSHOTS.get(hash)) === null;
}

describe('consent gate on POST /v1/events', () => {
  it('queues only the events whose consent allows profiling, and says how many were not profiled and why', async () => {
    const id = (what: string): string => `consent-ev-${what}-${crypto.randomUUID()}`;
    const [consented, noTcString, optedOut, child, noPurpose1] = [id('ok'), id('none'), id('usp'), id('coppa'), id('p1')];
    const res = await post('/v1/events', {
      // The batch says GDPR applies; each event brings its own TC string (or none).
      consent: { gdpr: 1 },
      events: [
        event(consented, 'add_to_cart', { consent: { tcString: GRANTED } }),
        event(noTcString, 'add_to_cart'),
        event(optedOut, 'add_to_cart', { consent: { tcString: GRANTED, usPrivacy: '1YYN' } }),
        event(child, 'add_to_cart', { consent: { tcString: GRANTED, coppa: 1 } }),
        event(noPurpose1, 'purchase', { consent: { tcString: tcString({ purposeConsents: [2, 3, 4], vendorConsents: [TEST_VENDOR_ID] }) } }),
      ],
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 5,
      notProfiled: { count: 4, reasons: { gdpr_consent_missing: 1, us_privacy_opt_out: 1, coppa: 1, tcf_purpose_1_missing: 1 } },
    });

    const { stub } = await profileStub(consented);
    await eventually('the consented event to reach its profile', async () => (await stub.getSnapshot()) ?? undefined);
    // The batch went to the queue together; give anything wrongly queued a moment more, then look.
    await new Promise((r) => setTimeout(r, 1500));
    for (const user of [noTcString, optedOut, child, noPurpose1]) expect(await untouched(user)).toBe(true);
  });

  it('profiles events with no consent signals (nothing restricts them) and answers without notProfiled', async () => {
    const user = `consent-ev-plain-${crypto.randomUUID()}`;
    const res = await post('/v1/events', { events: [event(user, 'page_view')] });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    const { stub } = await profileStub(user);
    await eventually('the profile to be written', async () => (await stub.getSnapshot()) ?? undefined);
  });

  it('honours a GPP US opt-out at batch level and never errors on unreadable consent', async () => {
    const [a, b] = [`consent-ev-gpp-${crypto.randomUUID()}`, `consent-ev-bad-${crypto.randomUUID()}`];
    const res = await post('/v1/events', {
      consent: { gpp: gppString({ usnat: { SaleOptOutNotice: 1, SaleOptOut: 1 } }), gppSid: [7] },
      events: [event(a, 'add_to_cart'), event(b, 'add_to_cart', { consent: { gdpr: 1, tcString: 'garbage' } })],
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, notProfiled: { count: 2, reasons: { gpp_us_opt_out: 1, gdpr_consent_malformed: 1 } } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await untouched(a)).toBe(true);
    expect(await untouched(b)).toBe(true);
  });
});
