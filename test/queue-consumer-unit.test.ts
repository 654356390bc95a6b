/**
 * The profile-events consumer against the real UserProfile objects and KV: idempotence under
 * redelivery, per-message retry on failure, dead-lettering of bodies that can never apply.
 * The KV snapshot is the object's write-behind (its alarm), no longer the consumer's.
 */
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ProfileEvent } from '../src/core/model';
import { segmentKey } from '../src/core/segments/segment-key';
import { RETENTION_MS } from '../src/core/profile/retention';
import type { ApplyResult, UserProfile } from '../src/objects/user-profile';
import { handleProfileBatch, locationHintOf, platformEffects, retryDelaySec, type ProfileEffects } from '../src/queue/profile-consumer';
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
    expect(v2?.segments[segmentKey('cart_abandoners', 'adv-acme')]).toBeDefined();
    // The object's write-behind puts that same snapshot in KV.
    await runDurableObjectAlarm(stub);
    expect(await env.PROFILE_SNAPSHOTS.get(hash, 'json')).toEqual(v2);
  });

  it('acks once the object has applied the events, without waiting for KV', async () => {
    const user = `ack-${crypto.randomUUID()}`;
    const result = await run(await userEvents(user, ['add_to_cart']));
    expect(result.explicitAcks).toHaveLength(1);
    const { stub, hash } = await profileStub(user);
    expect((await stub.getSnapshot())?.version).toBe(1);
    expect(await env.PROFILE_SNAPSHOTS.get(hash)).toBeNull();
    expect(await runInDurableObject(stub, (_instance: UserProfile, state) => state.storage.getAlarm())).not.toBeNull();
  });

  it('retries every message of a user whose update failed, and applies them exactly once in the end', async () => {
    const user = `retry-${crypto.randomUUID()}`;
    const evs = await userEvents(user, ['add_to_cart', 'product_view']);
    const real = platformEffects(env);
    let failures = 1;
    // The object applies the events, then the answer is lost on the way back: the worst moment to fail.
    const lossy: ProfileEffects = {
      ...real,
      applyEvents: async (hash, events) => {
        const result = await real.applyEvents(hash, events);
        if (failures-- > 0) throw new Error('connection lost');
        return result;
      },
    };
    const failed = await run(evs, lossy);
    expect(failed.explicitAcks).toEqual([]);
    expect(failed.retryMessages).toHaveLength(2);

    const redelivered = await run(evs, lossy, 2);
    expect(redelivered.explicitAcks).toHaveLength(2);
    const { stub } = await profileStub(user);
    expect((await stub.getSnapshot())?.version).toBe(1);
    const rows = await runInDurableObject(stub, (_instance: UserProfile, state) =>
      state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM seen').one().n,
    );
    expect(rows).toBe(2);
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

  it('acks events that aged past the retention while queued: ignored with a reason, not retried forever', async () => {
    const user = `old-${crypto.randomUUID()}`;
    const [fresh] = await userEvents(user, ['page_view']);
    if (!fresh) throw new Error('no event');
    const stale = { ...fresh, id: `${fresh.id}-stale`, tsMs: Date.now() - RETENTION_MS - 1000 };
    const real = platformEffects(env);
    const results: ApplyResult[] = [];
    const result = await run([stale, fresh], { ...real, applyEvents: async (h, e) => { const r = await real.applyEvents(h, e); results.push(r); return r; } });
    expect(result.explicitAcks).toHaveLength(2);
    expect(results[0]).toMatchObject({ applied: [fresh.id], ignored: { too_old: 1 } });
  });

  it('creates a profile where most of its events came from (ties: the latest)', () => {
    const at = (tsMs: number, locationHint?: ProfileEvent['locationHint']): ProfileEvent => ({
      id: `e-${tsMs}`,
      type: 'page_view',
      userHash: 'h',
      tsMs,
      ...(locationHint ? { locationHint } : {}),
    });
    expect(locationHintOf([])).toBeUndefined();
    expect(locationHintOf([at(1), at(2)])).toBeUndefined();
    expect(locationHintOf([at(1), at(2, 'weur')])).toBe('weur');
    expect(locationHintOf([at(1, 'weur'), at(2, 'enam'), at(3, 'weur')])).toBe('weur');
    expect(locationHintOf([at(3, 'weur'), at(1, 'enam'), at(2, 'weur'), at(4, 'enam')])).toBe('enam');
  });

  it('backs off exponentially up to a minute', () => {
    expect([1, 2, 3, 6, 10].map((a) => retryDelaySec(a))).toEqual([2, 4, 8, 60, 60]);
    // QUEUE_RETRY_BASE_SEC scales it; the tests run with 0 (immediate retries).
    expect([1, 2, 3].map((a) => retryDelaySec(a, 1))).toEqual([1, 2, 4]);
    expect(retryDelaySec(4, 0)).toBe(0);
  });
});
