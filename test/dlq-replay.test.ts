/**
 * Dead letters end to end on the real queues: a poison message is retried by the real queue
 * (`max_retries = 5`, immediate retries under the tests' QUEUE_RETRY_BASE_SEC = 0), lands in
 * `profile-events-dlq`, is stored by the DLQ consumer, listed by the admin endpoint, and applied
 * once replayed after the cause is fixed.
 *
 * The poison here is real: a profile whose stored document an older deploy wrote in a shape this
 * one cannot read refuses every event (rather than starting the person afresh), until fixed.
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { segmentKey } from '../src/core/segments/segment-key';
import type { UserProfile } from '../src/objects/user-profile';
import { event, eventually, fetchWorker, ORIGIN, post, profileStub } from './helpers';
import { snapshotOf } from './profile-helpers';

interface Letter {
  seq: number;
  reason: string;
  eventId?: string;
  type?: string;
}

async function letters(): Promise<Letter[]> {
  const res = await fetchWorker(`${ORIGIN}/v1/admin/dlq?limit=1000`);
  expect(res.status).toBe(200);
  return (await res.json<{ letters: Letter[] }>()).letters;
}

describe('dead letters', () => {
  it('a poison message ends in the DLQ and applies once replayed after the fix', async () => {
    const user = `poison-${crypto.randomUUID()}`;
    const { stub } = await profileStub(user);
    expect((await post('/v1/events', { events: [event(user, 'page_view')] })).status).toBe(202);
    await eventually('the first event to be applied', async () => ((await stub.getSnapshot()) ? true : undefined));

    // Break the profile the way an incompatible deploy would.
    const goodDoc = await runInDurableObject(stub, (_i: UserProfile, state) => state.storage.kv.get('doc'));
    await runInDurableObject(stub, (_i: UserProfile, state) => { state.storage.kv.put('doc', { memberships: 'v0 shape' }); });
    await evictDurableObject(stub);

    const cart = event(user, 'add_to_cart', { productId: 'tent-2p' });
    expect((await post('/v1/events', { events: [cart] })).status).toBe(202);
    const letter = await eventually('the event to be dead-lettered', async () => (await letters()).find((l) => l.eventId === cart.id), 30_000);
    expect(letter).toMatchObject({ reason: 'retries_exhausted', type: 'add_to_cart' });
    expect((await snapshotOf(stub))?.segments[segmentKey('cart_abandoners', 'adv-acme')]).toBeUndefined();

    // The fix, then the replay.
    await runInDurableObject(stub, (_i: UserProfile, state) => { state.storage.kv.put('doc', goodDoc); });
    await evictDurableObject(stub);
    const replay = await fetchWorker(`${ORIGIN}/v1/admin/dlq/replay?seq=${letter.seq}`, { method: 'POST' });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ replayed: 1, stillInvalid: [] });

    const snap = await eventually('the replayed event to be applied', async () => {
      const s = await snapshotOf(stub);
      return s?.segments[segmentKey('cart_abandoners', 'adv-acme')] ? s : undefined;
    });
    expect(snap.activity?.['add_to_cart@adv-acme']?.daily.reduce((n, [, c]) => n + c, 0)).toBe(1);
    expect((await letters()).some((l) => l.seq === letter.seq)).toBe(false);
    // A second replay of the same event (say, an operator re-sending it) changes nothing.
    await env.PROFILE_EVENTS.send({ ...(await profileEventOf(user, cart)) }, { contentType: 'json' });
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await snapshotOf(stub))?.activity?.['add_to_cart@adv-acme']?.daily.reduce((n, [, c]) => n + c, 0)).toBe(1);
  });

  it('keeps a body that can never apply, reports it on replay, and lets an operator discard it', async () => {
    const marker = `nonsense-${crypto.randomUUID()}`;
    await env.PROFILE_EVENTS.send({ nonsense: marker }, { contentType: 'json' });
    const invalid = await eventually('the invalid body to reach the store', async () => {
      const found = (await letters()).filter((l) => l.reason === 'invalid_body');
      return found.length > 0 ? found : undefined;
    }, 20_000);
    const seq = invalid[invalid.length - 1]?.seq ?? -1;
    const replay = await fetchWorker(`${ORIGIN}/v1/admin/dlq/replay?seq=${seq}`, { method: 'POST' });
    expect(await replay.json()).toMatchObject({ replayed: 0, stillInvalid: [seq] });
    const discard = await fetchWorker(`${ORIGIN}/v1/admin/dlq/${seq}`, { method: 'DELETE' });
    expect(await discard.json()).toEqual({ removed: 1 });
    expect((await fetchWorker(`${ORIGIN}/v1/admin/dlq/${seq}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('is for the admin only', async () => {
    expect((await fetchWorker(`${ORIGIN}/v1/admin/dlq`, { auth: 'publisher' })).status).toBe(403);
    expect((await fetchWorker(`${ORIGIN}/v1/admin/dlq`, { auth: 'none' })).status).toBe(401);
    expect((await fetchWorker(`${ORIGIN}/v1/admin/dlq?limit=0`)).status).toBe(400);
  });
});

/** The queue message the events API made of `e` (the same id: a re-send is a duplicate). */
async function profileEventOf(user: string, e: Record<string, unknown>) {
  const { hash } = await profileStub(user);
  return { id: String(e.id), type: 'add_to_cart', userHash: hash, tsMs: Number(e.ts), advertiserId: 'adv-acme', productId: 'tent-2p' };
}
