/**
 * `POST /v1/users/:key/opt-out` on the real runtime: the person's profile data goes, decisions
 * for them turn contextual at once (the object serves `optedOut`), their later events are not
 * profiled, and an opt-in lets profiling start again from nothing.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { event, eventually, fetchWorker, ORIGIN, post, profileStub, servedUser } from './helpers';
import { snapshotOf } from './profile-helpers';

interface Explained {
  explain?: { profileSource: string; slots: { lineItems: { lineItemId: string; outcome: string }[] }[] };
}

/** What the cart-retargeting line item did in a decision for `user`. */
async function retargeting(user: string): Promise<string | undefined> {
  const res = await post('/v1/decisions', { userKey: user, placements: [{ id: 'p', sizes: ['300x250'] }], site: { domain: 'news.example' }, explain: true });
  expect(res.status).toBe(200);
  const body = await res.json<Explained>();
  return body.explain?.slots[0]?.lineItems.find((l) => l.lineItemId === 'li-acme-cart-retargeting')?.outcome;
}

describe('opt-out', () => {
  it('stops behavioural use at once and keeps later events out until an opt-in', async () => {
    const user = await servedUser('optout');
    const { stub, hash } = await profileStub(user);
    expect((await post('/v1/events', { events: [event(user, 'add_to_cart')] })).status).toBe(202);
    await eventually('the cart to count', async () => ((await retargeting(user)) !== 'no_targeting_match' ? true : undefined));

    const res = await fetchWorker(`${ORIGIN}/v1/users/${user}/opt-out`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'opted_out', linkedIds: 0 });
    expect(await retargeting(user)).toBe('no_targeting_match');
    expect(await snapshotOf(stub)).toMatchObject({ optedOut: true, segments: {}, conversions: {} });

    // Later events are acknowledged and dropped: still nothing behavioural.
    expect((await post('/v1/events', { events: [event(user, 'add_to_cart')] })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await snapshotOf(stub))?.activity).toBeUndefined();
    expect(await retargeting(user)).toBe('no_targeting_match');

    expect((await fetchWorker(`${ORIGIN}/v1/users/${user}/opt-in`, { method: 'POST' })).status).toBe(200);
    expect((await snapshotOf(stub))?.optedOut).toBeUndefined();
    expect((await post('/v1/events', { events: [event(user, 'add_to_cart')] })).status).toBe(202);
    await eventually('profiling to resume', async () => ((await retargeting(user)) !== 'no_targeting_match' ? true : undefined));
    expect(await env.PROFILE_SNAPSHOTS.get(`erased:${hash}`)).toBeNull();
  });

  it('is admin only', async () => {
    expect((await fetchWorker(`${ORIGIN}/v1/users/some-user-1/opt-out`, { method: 'POST', auth: 'publisher' })).status).toBe(403);
    expect((await fetchWorker(`${ORIGIN}/v1/users/some-user-1/opt-out`, { method: 'GET' })).status).toBe(405);
  });
});
