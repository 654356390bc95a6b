/**
 * Where identity links meet privacy, on the real runtime: an `identify` from another id of the
 * person is not the opt-in an erase waits for, so an erased id is never linked (in either merge
 * direction); and a link made before either id has behaviour survives the next alarm.
 */
import { createExecutionContext, createMessageBatch, evictDurableObject, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ProfileEvent } from '../src/core/model';
import { RETENTION_MS } from '../src/core/profile/retention';
import type { UserProfile } from '../src/objects/user-profile';
import { handleProfileBatch } from '../src/queue/profile-consumer';
import { aliasKey, erasedKey } from '../src/store/profile-kv-keys';
import { snapshotOf, stored, stubOf } from './profile-helpers';

async function consume(bodies: readonly ProfileEvent[]): Promise<void> {
  const batch = createMessageBatch(
    'profile-events',
    bodies.map((body) => ({ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await handleProfileBatch(batch, env);
  await waitOnExecutionContext(ctx);
}

const cart = (userHash: string): ProfileEvent => ({ id: `c-${crypto.randomUUID()}`, type: 'add_to_cart', userHash, tsMs: Date.now(), advertiserId: 'adv-acme', productId: 'tent-2p' });
const identify = (userHash: string, links: string[]): ProfileEvent => ({ id: `i-${crypto.randomUUID()}`, type: 'identify', userHash, tsMs: Date.now(), links });
const EMPTY = { tables: [], keys: [], alarm: null };

describe('an erased id and identify', () => {
  // Both merge directions: the erased id would absorb (smaller hash) or be absorbed (larger hash).
  for (const erasedSorts of ['first', 'last'] as const) {
    it(`does not link an erased id named by another id's identify (erased id sorts ${erasedSorts})`, async () => {
      const r = crypto.randomUUID();
      const erased = erasedSorts === 'first' ? `hA-${r}` : `hZ-${r}`;
      const other = `hM-${r}`;
      await consume([cart(erased)]);
      await stubOf(erased).erase(erased);
      expect(await stored(stubOf(erased))).toEqual(EMPTY);

      const result = await stubOf(other).applyEvents(other, [cart(other), identify(other, [erased])]);
      expect(result.ignored).toEqual({ erased: 1 });

      // The erased id stays empty, unlinked and marked; the other id keeps its own profile.
      expect(await stored(stubOf(erased))).toEqual(EMPTY);
      expect(await env.PROFILE_SNAPSHOTS.get(aliasKey(erased))).toBeNull();
      expect(await env.PROFILE_SNAPSHOTS.get(aliasKey(other))).toBeNull();
      expect(await env.PROFILE_SNAPSHOTS.get(erasedKey(erased))).not.toBeNull();
      expect(await stubOf(erased).getSnapshot()).toBeNull();
      expect((await snapshotOf(stubOf(other)))?.activity?.['add_to_cart@adv-acme']).toBeDefined();

      // Later events under the erased id are still not profiled.
      await consume([{ id: `v-${r}`, type: 'product_view', userHash: erased, tsMs: Date.now(), advertiserId: 'adv-acme' }]);
      expect(await stored(stubOf(erased))).toEqual(EMPTY);
    });
  }

  it('refuses to absorb into, or export from, an erased empty object', async () => {
    const r = crypto.randomUUID();
    const erased = `hA-${r}`;
    const other = `hB-${r}`;
    await stubOf(erased).erase(erased);
    await consume([cart(other)]);

    expect(await stubOf(erased).absorb(erased, other)).toBe(false);
    expect(await stubOf(erased).beginExport(erased, other)).toBeNull();
    expect(await stubOf(other).absorb(other, erased)).toBe(false);

    expect(await stored(stubOf(erased))).toEqual(EMPTY);
    expect(await env.PROFILE_SNAPSHOTS.get(aliasKey(erased))).toBeNull();
    expect((await snapshotOf(stubOf(other)))?.activity?.['add_to_cart@adv-acme']).toBeDefined();
  });
});

describe('a link made before any behaviour', () => {
  it('survives the alarm, so later events under either id reach one profile', async () => {
    const r = crypto.randomUUID();
    const canonical = `hA-${r}`;
    const other = `hB-${r}`;
    await consume([identify(other, [canonical])]);
    expect(await env.PROFILE_SNAPSHOTS.get(aliasKey(other))).toBe(canonical);

    await runDurableObjectAlarm(stubOf(canonical));
    expect(await env.PROFILE_SNAPSHOTS.get(aliasKey(other))).toBe(canonical);

    await consume([cart(other)]);
    expect((await snapshotOf(stubOf(canonical)))?.segments).toHaveProperty(['cart_abandoners@adv-acme']);
    expect(await stored(stubOf(other))).toMatchObject({ tables: [] });
  });

  it('lapses with the normal retention when nothing else arrives', async () => {
    const r = crypto.randomUUID();
    const canonical = `hA-${r}`;
    const other = `hB-${r}`;
    await consume([identify(other, [canonical])]);
    await runDurableObjectAlarm(stubOf(canonical));
    const alarm = (await stored(stubOf(canonical))).alarm;
    expect(alarm).not.toBeNull();
    expect(alarm ?? 0).toBeGreaterThan(Date.now() + RETENTION_MS - 60_000);

    // Move the link's time past the retention; the next alarm lets the link go, pointers included.
    await runInDurableObject(stubOf(canonical), (_i: UserProfile, state) => {
      const doc = state.storage.kv.get<{ aliases: string[]; linkedAtMs: number }>('identity');
      if (doc) state.storage.kv.put('identity', { ...doc, linkedAtMs: doc.linkedAtMs - RETENTION_MS });
    });
    await evictDurableObject(stubOf(canonical));
    await runInDurableObject(stubOf(canonical), (_i: UserProfile, state) => state.storage.setAlarm(Date.now() + 60_000));
    await runDurableObjectAlarm(stubOf(canonical));
    expect(await stored(stubOf(canonical))).toEqual(EMPTY);
    expect(await stored(stubOf(other))).toEqual(EMPTY);
    expect(await env.PROFILE_SNAPSHOTS.get(aliasKey(other))).toBeNull();
  });
});
