/**
 * The loss test: 10,000 events for 40 users go through the real consumer and the real profile
 * objects while every 7th object call fails — alternately before the object applies anything and
 * after it applied (the answer lost on the way back, the worst case). The queue's at-least-once
 * contract is played by this test: retried messages come back with `attempts + 1`, and acked ones
 * are sometimes delivered again. In the end every event's effect must be there exactly once.
 * The counts are printed as one JSON line (`loss_test`).
 */
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ProfileEvent, ProfileEventType } from '../src/core/model';
import type { ApplyResult } from '../src/objects/user-profile';
import { handleProfileBatch, platformEffects, type ProfileEffects } from '../src/queue/profile-consumer';
import { snapshotOf, sql, stubOf } from './profile-helpers';

const USERS = 40;
const PER_USER = 250;
const BATCH = 100;
const MAX_RETRIES = 5;
const TYPES: ProfileEventType[] = ['page_view', 'product_view', 'add_to_cart', 'purchase'];

interface Pending {
  readonly id: string;
  readonly body: ProfileEvent;
  readonly attempts: number;
}

describe('nothing lost', () => {
  it('applies 10,000 events exactly once through injected failures and redeliveries', { timeout: 300_000 }, async () => {
    const run = crypto.randomUUID();
    const users = Array.from({ length: USERS }, (_, u) => `h-loss-${run}-${u}`);
    const expected = new Map<string, number>();
    let pending: Pending[] = [];
    for (let i = 0; i < PER_USER; i++) {
      for (const userHash of users) {
        const type = TYPES[(i + userHash.length) % TYPES.length] ?? 'page_view';
        const body: ProfileEvent = { id: `${userHash}-${i}`, type, userHash, tsMs: Date.now() - 60_000 + i, advertiserId: 'adv-acme', valueMicros: 1_000_000 };
        pending.push({ id: `m-${body.id}`, body, attempts: 1 });
        expected.set(`${userHash}|${type}`, (expected.get(`${userHash}|${type}`) ?? 0) + 1);
      }
    }

    const real = platformEffects(env);
    const counts = { calls: 0, failedBeforeApply: 0, failedAfterApply: 0, applied: 0, duplicates: 0, batches: 0, retried: 0, redelivered: 0, deadLettered: 0 };
    const lossy: ProfileEffects = {
      ...real,
      applyEvents: async (userHash, events): Promise<ApplyResult> => {
        counts.calls++;
        const fail = counts.calls % 7 === 0;
        const before = fail && (counts.calls / 7) % 2 === 1;
        if (before) {
          counts.failedBeforeApply++;
          throw new Error('injected: object unreachable');
        }
        const result = await real.applyEvents(userHash, events);
        counts.applied += result.applied.length;
        counts.duplicates += result.duplicates;
        if (fail) {
          counts.failedAfterApply++;
          throw new Error('injected: answer lost');
        }
        return result;
      },
    };

    const acked: Pending[] = [];
    while (pending.length > 0) {
      const take = pending.slice(0, BATCH);
      pending = pending.slice(BATCH);
      const batch = createMessageBatch(
        'profile-events',
        take.map((p) => ({ id: p.id, timestamp: new Date(), attempts: p.attempts, body: p.body })),
      );
      const ctx = createExecutionContext();
      await handleProfileBatch(batch, env, lossy);
      await waitOnExecutionContext(ctx);
      const result = await getQueueResult(batch, ctx);
      counts.batches++;
      const retried = new Set(result.retryMessages.map((m) => m.msgId));
      const ackedIds = new Set(result.explicitAcks);
      for (const p of take) {
        if (ackedIds.has(p.id)) acked.push(p);
        else if (retried.has(p.id)) {
          counts.retried++;
          // Past max_retries the queue would dead-letter it; none should get there.
          if (p.attempts > MAX_RETRIES) counts.deadLettered++;
          else pending.push({ ...p, attempts: p.attempts + 1 });
        } else throw new Error('a message was neither acked nor retried');
      }
      // At-least-once: now and then, messages already acked are delivered again.
      if (counts.batches % 9 === 0) {
        for (const p of acked.slice(-7)) pending.push({ ...p, attempts: p.attempts + 1 });
        counts.redelivered += 7;
      }
    }

    let checked = 0;
    for (const userHash of users) {
      const snap = await snapshotOf(stubOf(userHash));
      for (const type of TYPES) {
        const daily = snap?.activity?.[`${type}@adv-acme`]?.daily ?? [];
        expect(daily.reduce((n, [, c]) => n + c, 0)).toBe(expected.get(`${userHash}|${type}`) ?? 0);
        checked += expected.get(`${userHash}|${type}`) ?? 0;
      }
      expect(await sql(stubOf(userHash), 'SELECT COUNT(*) AS n FROM seen')).toEqual([{ n: PER_USER }]);
    }
    console.log(JSON.stringify({ event: 'loss_test', events: USERS * PER_USER, users: USERS, ...counts, checkedEffects: checked }));
    expect(checked).toBe(USERS * PER_USER);
    expect(counts.applied).toBe(USERS * PER_USER);
    expect(counts.deadLettered).toBe(0);
    expect(counts.failedBeforeApply).toBeGreaterThan(0);
    expect(counts.failedAfterApply).toBeGreaterThan(0);
    expect(counts.duplicates).toBeGreaterThan(0);
  });
});
