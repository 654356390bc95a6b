/**
 * The profile-events consumer against the real UserProfile objects and KV: idempotence under
 * redelivery, per-message retry on failure, dead-lettering of bodies that can never apply.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ProfileEvent } from '../src/core/model';
import { handleProfileBatch, platformEffects, retryDelaySec, type ProfileEffects } from '../src/queue/profile-consumer';
import { profileStub } from './helpers';

type QueueMessageInit = Parameters<typeof createMessageBatch>[1][number];

function messages(events: readonly unknown[], attempts = 1): QueueMessageInit[] {
  return events.map((body, i) => ({ id: `m-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body }));
}

async function run(batchEvents: readonly unknown[], effects: ProfileEffects = platformEffects(env), attempts = 1) {
  const batch = createMessageBatch('profile-events', messages(batchEvents, attempts));
  const ctx = createExecutionContext();
  await handleProfileBatch(batch, env, effects);
  await waitOnExecutionContext(ctx);
  return getQueueResult(batch, ctx);
}

async function userEvents(user: string, types: ProfileEvent['type'][]): Promise<ProfileEvent[]> {
  const { hash } = await profileStub(user);
  return types.map((type, i) => ({ id: `${user}-e${i}`, type, userHash: hash, tsMs: Date.now() - 1000 + i, advertiserId: 'adv-acme' }));
}

describe('profile-events consumer', () => {
  it('applies the same event delivered twice only once', async () => {
    const user = `dup-${crypto.randomUUID()}`;
    const evs = await userEvents(user, ['product_view', 'add_to_cart']);
    const first = await run(evs);
    expect(first.explicitAcks).toHaveLength(2);
    const { stub, hash } = await profileStub(user);
    const v1 = await stub.getSnapshot();
    // At-least-once delivery: the whole batch again, plus one copy of an event inside a single batch.
    const again = await run([...evs, evs[0]]);
    expect(again.explicitAcks).toHaveLength(3);
    const v2 = await stub.getSnapshot();
    expect(v2?.version).toBe(v1?.version);
    expect(v2?.segments.cart_abandoners).toBeDefined();
    const kv = await env.PROFILE_SNAPSHOTS.get(hash, 'json');
    expect(kv).toEqual(v2);
  });

  it('retries every message of a user whose update failed, and applies them exactly once in the end', async () => {
    const user = `retry-${crypto.randomUUID()}`;
    const evs = await userEvents(user, ['add_to_cart', 'product_view']);
    const real = platformEffects(env);
    let failures = 1;
    // The real object applies the events, then the snapshot write fails: the worst moment to crash.
    const flaky: ProfileEffects = {
      ...real,
      writeSnapshot: async (hash, snap) => {
        if (failures-- > 0) throw new Error('KV unavailable');
        await real.writeSnapshot(hash, snap);
      },
    };
    const failed = await run(evs, flaky);
    expect(failed.explicitAcks).toEqual([]);
    expect(failed.retryMessages).toHaveLength(2);

    const redelivered = await run(evs, flaky, 2);
    expect(redelivered.explicitAcks).toHaveLength(2);
    const { stub, hash } = await profileStub(user);
    const snap = await stub.getSnapshot();
    expect(snap?.version).toBe(1);
    expect(await env.PROFILE_SNAPSHOTS.get(hash, 'json')).toEqual(snap);
  });

  it('groups a batch by user: one failing user does not hold back another', async () => {
    const ok = await userEvents(`ok-${crypto.randomUUID()}`, ['page_view']);
    const bad = await userEvents(`bad-${crypto.randomUUID()}`, ['page_view']);
    const badHash = bad[0]?.userHash;
    const real = platformEffects(env);
    const result = await run([...ok, ...bad], {
      ...real,
      applyEvents: (hash, events) => (hash === badHash ? Promise.reject(new Error('object overloaded')) : real.applyEvents(hash, events)),
    });
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(1);
  });

  it('sends a body that can never apply to the dead-letter queue and acks it', async () => {
    const dead: unknown[] = [];
    const result = await run([{ nonsense: true }], { ...platformEffects(env), deadLetter: (b) => {
        dead.push(b);
        return Promise.resolve();
      },
    });
    expect(dead).toEqual([{ nonsense: true }]);
    expect(result.explicitAcks).toHaveLength(1);
  });

  it('creates the profile with the location hint the events carry', async () => {
    const user = `hint-${crypto.randomUUID()}`;
    const evs = (await userEvents(user, ['add_to_cart'])).map((e) => ({ ...e, locationHint: 'weur' as const }));
    const result = await run(evs);
    expect(result.explicitAcks).toHaveLength(1);
    const { stub } = await profileStub(user);
    expect((await stub.getSnapshot())?.segments.cart_abandoners).toBeDefined();
  });

  it('backs off exponentially up to a minute', () => {
    expect([1, 2, 3, 6, 10].map(retryDelaySec)).toEqual([2, 4, 8, 60, 60]);
  });
});
