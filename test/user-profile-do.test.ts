/**
 * The UserProfile Durable Object through its typed RPC methods, on real SQLite storage, real
 * alarms (run on demand with runDurableObjectAlarm) and the real PROFILE_SNAPSHOTS KV.
 * Time is moved by shifting stored times back (see profile-helpers.ts), since alarms and KV
 * ignore fake timers.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../src/core/profile/profile-state';
import { DAY_MS, RETENTION_MS } from '../src/core/profile/retention';
import { segmentKey } from '../src/core/segments/segment-key';
import { WRITE_BEHIND_MS, type UserProfile } from '../src/objects/user-profile';
import { age, ev, freshUser, kvSnapshot, snapshotOf, sql, stored, stubOf } from './profile-helpers';

const CART = segmentKey('cart_abandoners', 'adv-acme');
const EXPLORERS = segmentKey('product_explorers', 'adv-acme');

describe('UserProfile', () => {
  it('has no snapshot before any event', async () => {
    expect(await freshUser().stub.getSnapshot()).toBeNull();
  });

  it('writes nothing when only read (the bid path activates objects for unknown users)', async () => {
    const { stub } = freshUser();
    expect(await stub.getSnapshot()).toBeNull();
    expect(await stored(stub)).toEqual({ tables: [], keys: [], alarm: null });
  });

  it('applies events once by id and bumps the version only on change', async () => {
    const { userHash, stub } = freshUser();
    const first = await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000), ev(userHash, 'b', 'product_view', 500)]);
    expect(first.applied).toEqual(['a', 'b']);
    expect(first.snapshot?.version).toBe(1);
    expect(first.snapshot?.segments[CART]).toBeDefined();
    const again = await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    expect(again).toMatchObject({ applied: [], duplicates: 1, snapshot: { version: 1 } });
  });

  it('records conversions per event type and advertiser, and leaves cart abandoners after a purchase', async () => {
    const { userHash, stub } = freshUser();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 2000)]);
    const after = await stub.applyEvents(userHash, [ev(userHash, 'p', 'purchase', 1000), ev(userHash, 'c', 'conversion', 900, { advertiserId: 'adv-b' })]);
    expect(after.snapshot?.segments[CART]).toBeUndefined();
    expect(Object.keys(after.snapshot?.conversions ?? {}).sort()).toEqual(['conversion@adv-b', 'purchase@adv-acme']);
    expect(after.snapshot?.segments[segmentKey('past_purchasers', 'adv-acme')]).toBeDefined();
  });

  it('builds impressions, daily activity and dynamic-creative data into the snapshot', async () => {
    const { userHash, stub } = freshUser();
    const r = await stub.applyEvents(userHash, [
      ev(userHash, 'v', 'product_view', 3000, { productId: 'tent-2p', category: 'tents' }),
      ev(userHash, 'c', 'add_to_cart', 2000, { productId: 'tent-2p', productName: 'Trail tent' }),
      ev(userHash, 'i', 'impression', 1000, { lineItemId: 'li-1', campaignId: 'cmp-1' }),
    ]);
    const snap = r.snapshot;
    expect(Object.keys(snap?.impressions ?? {}).sort()).toEqual(['adv:adv-acme', 'cmp:cmp-1', 'li:li-1']);
    expect(snap?.activity?.['product_view@adv-acme']?.daily).toEqual([[Math.floor((Date.now() - 3000) / DAY_MS), 1]]);
    expect(snap?.dynamic?.['adv-acme']).toEqual({ cartProductId: 'tent-2p', cartProductName: 'Trail tent', topCategory: 'tents' });
  });

  it('ignores events older than the retention, with a reason, and stores nothing for them', async () => {
    const { userHash, stub } = freshUser();
    const r = await stub.applyEvents(userHash, [ev(userHash, 'old', 'page_view', RETENTION_MS + 1000), ev(userHash, 'new', 'page_view', -10 * 60_000)]);
    expect(r).toMatchObject({ applied: [], ignored: { too_old: 1, too_new: 1 }, snapshot: null });
    expect(await stored(stub)).toEqual({ tables: [], keys: [], alarm: null });
  });

  it('refuses a user hash that does not name the object (it would write another user’s KV key)', async () => {
    const { userHash, stub } = freshUser();
    const refused = await stub.applyEvents(`${userHash}-other`, [ev(userHash, 'a', 'page_view', 0)]).then(
      () => null,
      (err: unknown) => err,
    );
    expect(String(refused)).toMatch(/does not name/);
    expect(await stored(stub)).toEqual({ tables: [], keys: [], alarm: null });
  });

  it('keeps counters, not events: a thousand views are one hour bucket and one day bucket', async () => {
    const { userHash, stub } = freshUser();
    const views = Array.from({ length: 1000 }, (_, i) => ev(userHash, `v${i}`, 'product_view', 10_000 - i));
    await stub.applyEvents(userHash, views);
    const rows = await sql<{ sub: string; hours: string; days: string }>(stub, 'SELECT sub, hours, days FROM series');
    expect(rows).toHaveLength(1);
    const hours = JSON.parse(rows[0]?.hours ?? '[]') as number[][];
    expect(hours.reduce((n, b) => n + (b[1] ?? 0), 0)).toBe(1000);
    expect(hours.length).toBeLessThanOrEqual(2);
    expect(await sql(stub, 'SELECT COUNT(*) AS n FROM seen')).toEqual([{ n: 1000 }]);
    expect((await snapshotOf(stub))?.segments[EXPLORERS]).toBeDefined();
  });

  it('serves the stored snapshot after a restart', async () => {
    const { userHash, stub } = freshUser();
    const { snapshot } = await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    await evictDurableObject(stub);
    expect(await stubOf(userHash).getSnapshot()).toEqual(snapshot);
  });

  it('does not trust a stored snapshot that fails the schema: rebuilds it from the counters, writing nothing', async () => {
    const { userHash, stub } = freshUser();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    const garbage = { version: 7, segments: 'from an older deploy' };
    await runInDurableObject(stub, (_instance: UserProfile, state) => state.storage.put('snapshot', garbage));
    await evictDurableObject(stub);
    const restarted = stubOf(userHash);
    const snapshot = await snapshotOf(restarted);
    expect(snapshot?.version).toBe(8);
    expect(snapshot?.segments[CART]).toBeDefined();
    // Still a read-only activation: the rebuilt snapshot is stored by the next write, not by the read.
    expect(await runInDurableObject(restarted, (_instance: UserProfile, state) => state.storage.get('snapshot'))).toEqual(garbage);
  });

  it('serves no snapshot when the stored one fails the schema and there are no counters', async () => {
    const { userHash, stub } = freshUser();
    await runInDurableObject(stub, (_instance: UserProfile, state) => state.storage.put('snapshot', { version: 'one' }));
    await evictDurableObject(stub);
    expect(await stubOf(userHash).getSnapshot()).toBeNull();
  });

  it('writes the snapshot behind: the alarm puts the latest snapshot in KV, then waits for the next change', async () => {
    const { userHash, stub } = freshUser();
    const before = Date.now();
    const { snapshot } = await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    const after = Date.now();
    expect(await kvSnapshot(userHash)).toBeNull();
    const { alarm } = await stored(stub);
    expect(alarm).toBeGreaterThanOrEqual(before + WRITE_BEHIND_MS);
    expect(alarm).toBeLessThanOrEqual(after + WRITE_BEHIND_MS);

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await kvSnapshot(userHash)).toEqual(await stub.getSnapshot());
    // Next: the cart-abandoner membership ends, 7 days after the cart add.
    expect((await stored(stub)).alarm).toBe(snapshot?.segments[CART]?.expiresAtMs);
  });

  it('coalesces changes within a second into one write of the newest version', async () => {
    const { userHash, stub } = freshUser();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 2000)]);
    const { alarm: first } = await stored(stub);
    const second = await stub.applyEvents(userHash, [ev(userHash, 'p', 'purchase', 1000)]);
    expect(second.snapshot?.version).toBe(2);
    // The pending write was not pushed back, and nothing reached KV yet.
    expect((await stored(stub)).alarm).toBe(first);
    expect(await kvSnapshot(userHash)).toBeNull();

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await kvSnapshot(userHash)).toEqual(second.snapshot);
    // No second write is pending: the next alarm is the first membership change, weeks out.
    expect((await stored(stub)).alarm).toBeGreaterThan(Date.now() + 80 * DAY_MS);
  });

  it('reschedules a failed KV write with backoff instead of losing it', async () => {
    const { userHash, stub } = freshUser();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    // A key over KV's 512-byte limit makes the real KV binding refuse the write.
    await runInDurableObject(stub, (_instance: UserProfile, state) => state.storage.put('userHash', `${userHash}-${'x'.repeat(600)}`));
    await evictDurableObject(stub);
    const before = Date.now();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const first = await stored(stub);
    expect(first.keys).not.toContain('kvVersion');
    expect(first.alarm).toBeGreaterThanOrEqual(before + 2_000);
    expect(first.alarm).toBeLessThan(Date.now() + 2_000 + 1_000);
    // Still failing: the next retry waits longer.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stored(stub)).alarm).toBeGreaterThanOrEqual(Date.now() + 3_000);
  });

  it('ends a membership by time alone: the alarm drops it from the object and from KV', async () => {
    const { userHash, stub } = freshUser();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    await runDurableObjectAlarm(stub);
    expect((await kvSnapshot(userHash))).toMatchObject({ segments: { [CART]: {} } });
    await age(stub, 7);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const snap = await snapshotOf(stub);
    expect(snap?.segments[CART]).toBeUndefined();
    expect(snap?.version).toBe(2);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await kvSnapshot(userHash)).toEqual(snap);
  });

  it('starts a membership by time alone: a purchase leaving the 7-day window makes a product explorer', async () => {
    const { userHash, stub } = freshUser();
    const views = [1, 2, 3, 4].map((i) => ev(userHash, `v${i}`, 'product_view', i * 1000));
    const r = await stub.applyEvents(userHash, [ev(userHash, 'p', 'purchase', 6 * DAY_MS + 12 * 3_600_000), ...views]);
    expect(r.snapshot?.segments[EXPLORERS]).toBeUndefined();
    await runDurableObjectAlarm(stub);
    // The object wakes when the purchase is 7 days old, before the views leave their window.
    expect((await stored(stub)).alarm).toBeLessThanOrEqual(Date.now() + DAY_MS);
    await age(stub, 1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await snapshotOf(stub))?.segments[EXPLORERS]).toBeDefined();
  });

  it('erases everything, KV copy included, once everything is past the retention', async () => {
    const { userHash, stub } = freshUser();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000), ev(userHash, 'p', 'purchase', 500)]);
    await runDurableObjectAlarm(stub);
    expect(await kvSnapshot(userHash)).not.toBeNull();
    await age(stub, 91);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.getSnapshot()).toBeNull();
    expect(await stored(stub)).toEqual({ tables: [], keys: [], alarm: null });
    expect(await kvSnapshot(userHash)).toBeNull();
  });

  it('prunes a lapsed day and recomputes the snapshot (a 90-day-old conversion goes)', async () => {
    const { userHash, stub } = freshUser();
    await stub.applyEvents(userHash, [ev(userHash, 'p', 'purchase', 89 * DAY_MS), ev(userHash, 'a', 'add_to_cart', 1000)]);
    await runDurableObjectAlarm(stub);
    expect(Object.keys((await snapshotOf(stub))?.conversions ?? {})).toEqual(['purchase@adv-acme']);
    await age(stub, 2);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const snapshot = await snapshotOf(stub);
    expect(snapshot?.conversions).toEqual({});
    expect(snapshot?.version).toBe(2);
    expect(await sql<{ sub: string }>(stub, 'SELECT sub FROM series')).toEqual([{ sub: 'add_to_cart' }]);
    // The change is written behind like any other.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await kvSnapshot(userHash)).toEqual(snapshot);
  });

  it('never evicts a conversion to make room for views of many advertisers', async () => {
    const { userHash, stub } = freshUser();
    await stub.applyEvents(userHash, [ev(userHash, 'p', 'purchase', 60_000)]);
    const flood = Array.from({ length: LIMITS.typeSeries + 50 }, (_, i) => ev(userHash, `v${i}`, 'page_view', 50_000 - i, { advertiserId: `adv-${i}` }));
    await stub.applyEvents(userHash, flood);
    expect(await sql(stub, "SELECT COUNT(*) AS n FROM series WHERE sub = 'page_view'")).toEqual([{ n: LIMITS.typeSeries }]);
    // Least recently active went first.
    expect(await sql(stub, "SELECT sub FROM series WHERE advertiser = 'adv-0'")).toEqual([]);
    expect((await snapshotOf(stub))?.conversions['purchase@adv-acme']).toBeGreaterThan(0);
  });

  it('bounds conversions on their own, oldest first', async () => {
    const { userHash, stub } = freshUser();
    const many = Array.from({ length: LIMITS.conversionSeries + 10 }, (_, i) => ev(userHash, `c${i}`, 'conversion', 60_000 - i, { advertiserId: `adv-${i}` }));
    await stub.applyEvents(userHash, many);
    const conversions = (await snapshotOf(stub))?.conversions ?? {};
    expect(Object.keys(conversions)).toHaveLength(LIMITS.conversionSeries);
    expect(conversions['conversion@adv-0']).toBeUndefined();
    expect(conversions[`conversion@adv-${LIMITS.conversionSeries + 9}`]).toBeDefined();
  });
});
