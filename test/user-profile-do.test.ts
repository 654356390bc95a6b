/**
 * The UserProfile Durable Object through its typed RPC methods, on real SQLite storage, real
 * alarms (run on demand with runDurableObjectAlarm) and the real PROFILE_SNAPSHOTS KV.
 * Time is moved by rewriting stored timestamps, since alarms and KV ignore fake timers.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ProfileEvent } from '../src/core/model';
import { DAY_MS, RETENTION_MS, segmentKey } from '../src/core/segments/realtime';
import { MAX_CONVERSIONS, MAX_EVENTS, WRITE_BEHIND_MS, type UserProfile } from '../src/objects/user-profile';

function fresh() {
  const userHash = `h-${crypto.randomUUID()}`;
  return { userHash, stub: stubOf(userHash) };
}

const stubOf = (userHash: string) => env.USER_PROFILE.get(env.USER_PROFILE.idFromName(userHash));

const ev = (userHash: string, id: string, type: ProfileEvent['type'], agoMs: number, advertiserId = 'adv-acme'): ProfileEvent => ({
  id,
  type,
  userHash,
  tsMs: Date.now() - agoMs,
  advertiserId,
});

const CART = segmentKey('cart_abandoners', 'adv-acme');

type Stub = ReturnType<typeof stubOf>;

/** Everything the object stores: user tables, KV-API keys and the alarm. */
function stored(stub: Stub) {
  return runInDurableObject(stub, async (_instance: UserProfile, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
      .toArray()
      .map((t) => t.name),
    keys: [...(await state.storage.list()).keys()],
    alarm: await state.storage.getAlarm(),
  }));
}

const sql = <T extends Record<string, SqlStorageValue>>(stub: Stub, query: string, ...args: SqlStorageValue[]) =>
  runInDurableObject(stub, (_instance: UserProfile, state) => state.storage.sql.exec<T>(query, ...args).toArray());

const kvSnapshot = (userHash: string) => env.PROFILE_SNAPSHOTS.get(userHash, 'json');

describe('UserProfile', () => {
  it('has no snapshot before any event', async () => {
    expect(await fresh().stub.getSnapshot()).toBeNull();
  });

  it('writes nothing when only read (the bid path activates objects for unknown users)', async () => {
    const { stub } = fresh();
    expect(await stub.getSnapshot()).toBeNull();
    expect(await stored(stub)).toEqual({ tables: [], keys: [], alarm: null });
  });

  it('applies events once by id and bumps the version only on change', async () => {
    const { userHash, stub } = fresh();
    const first = await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000), ev(userHash, 'b', 'product_view', 500)]);
    expect(first.applied).toEqual(['a', 'b']);
    expect(first.snapshot?.version).toBe(1);
    expect(first.snapshot?.segments[CART]).toBeDefined();
    const again = await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    expect(again).toMatchObject({ applied: [], duplicates: 1, snapshot: { version: 1 } });
  });

  it('records conversions per advertiser and leaves cart abandoners after a purchase', async () => {
    const { userHash, stub } = fresh();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 2000)]);
    const after = await stub.applyEvents(userHash, [ev(userHash, 'p', 'purchase', 1000, 'adv-acme')]);
    expect(after.snapshot?.segments[CART]).toBeUndefined();
    expect(after.snapshot?.conversions['adv-acme']).toBeGreaterThan(0);
  });

  it('ignores events older than the retention window, and stores nothing for them', async () => {
    const { userHash, stub } = fresh();
    const r = await stub.applyEvents(userHash, [ev(userHash, 'old', 'page_view', 31 * DAY_MS)]);
    expect(r.applied).toEqual([]);
    expect(r.snapshot).toBeNull();
    expect(await stored(stub)).toEqual({ tables: [], keys: [], alarm: null });
  });

  it('refuses a user hash that does not name the object (it would write another user’s KV key)', async () => {
    const { userHash, stub } = fresh();
    const refused = await stub.applyEvents(`${userHash}-other`, [ev(userHash, 'a', 'page_view', 0)]).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused)).toMatch(/does not name/);
    expect(await stored(stub)).toEqual({ tables: [], keys: [], alarm: null });
  });

  it('stores its events and the snapshot it serves', async () => {
    const { userHash, stub } = fresh();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    expect(await sql<{ n: number }>(stub, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 1 }]);
    const snapshot = await runInDurableObject(stub, (_instance: UserProfile, state) => state.storage.get('snapshot'));
    expect(snapshot).toEqual(await stub.getSnapshot());
  });

  it('serves the stored snapshot after a restart', async () => {
    const { userHash, stub } = fresh();
    const { snapshot } = await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    await evictDurableObject(stub);
    expect(await stubOf(userHash).getSnapshot()).toEqual(snapshot);
  });

  it('does not trust a stored snapshot that fails the schema: rebuilds it from the events, writing nothing', async () => {
    const { userHash, stub } = fresh();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    const garbage = { version: 7, segments: 'from an older deploy' };
    await runInDurableObject(stub, (_instance: UserProfile, state) => state.storage.put('snapshot', garbage));
    await evictDurableObject(stub);
    const restarted = stubOf(userHash);
    const snapshot = await restarted.getSnapshot();
    expect(snapshot?.version).toBe(8);
    expect(snapshot?.segments[CART]).toBeDefined();
    // Still a read-only activation: the rebuilt snapshot is stored by the next write, not by the read.
    expect(await runInDurableObject(restarted, (_instance: UserProfile, state) => state.storage.get('snapshot'))).toEqual(garbage);
  });

  it('serves no snapshot when the stored one fails the schema and there are no events', async () => {
    const { userHash, stub } = fresh();
    await runInDurableObject(stub, (_instance: UserProfile, state) => state.storage.put('snapshot', { version: 'one' }));
    await evictDurableObject(stub);
    expect(await stubOf(userHash).getSnapshot()).toBeNull();
  });

  it('writes the snapshot behind: the alarm puts the latest snapshot in KV, then waits for the next expiry', async () => {
    const { userHash, stub } = fresh();
    const before = Date.now();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
    const after = Date.now();
    expect(await kvSnapshot(userHash)).toBeNull();
    const { alarm } = await stored(stub);
    expect(alarm).toBeGreaterThanOrEqual(before + WRITE_BEHIND_MS);
    expect(alarm).toBeLessThanOrEqual(after + WRITE_BEHIND_MS);

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await kvSnapshot(userHash)).toEqual(await stub.getSnapshot());
    const [oldest] = await sql<{ ts: number }>(stub, 'SELECT MIN(ts) AS ts FROM events');
    expect((await stored(stub)).alarm).toBe((oldest?.ts ?? NaN) + RETENTION_MS);
  });

  it('coalesces changes within a second into one write of the newest version', async () => {
    const { userHash, stub } = fresh();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 2000)]);
    const { alarm: first } = await stored(stub);
    const second = await stub.applyEvents(userHash, [ev(userHash, 'p', 'purchase', 1000, 'adv-acme')]);
    expect(second.snapshot?.version).toBe(2);
    // The pending write was not pushed back, and nothing reached KV yet.
    expect((await stored(stub)).alarm).toBe(first);
    expect(await kvSnapshot(userHash)).toBeNull();

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await kvSnapshot(userHash)).toEqual(second.snapshot);
    // No second write is pending: the next alarm is the retention expiry, a month out.
    expect((await stored(stub)).alarm).toBeGreaterThan(Date.now() + 29 * DAY_MS);
  });

  it('reschedules a failed KV write with backoff instead of losing it', async () => {
    // A key over KV's 512-byte limit makes the real KV binding refuse the write.
    const userHash = `h-${crypto.randomUUID()}-${'x'.repeat(600)}`;
    const stub = stubOf(userHash);
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000)]);
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

  it('erases everything, KV copy included, once all events are past the retention', async () => {
    const { userHash, stub } = fresh();
    await stub.applyEvents(userHash, [ev(userHash, 'a', 'add_to_cart', 1000), ev(userHash, 'p', 'purchase', 500, 'adv-acme')]);
    await runDurableObjectAlarm(stub);
    expect(await kvSnapshot(userHash)).not.toBeNull();
    // A month passes: the events are now older than the retention, and the expiry alarm is due.
    await sql(stub, 'UPDATE events SET ts = ts - ?', RETENTION_MS + DAY_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.getSnapshot()).toBeNull();
    expect(await stored(stub)).toEqual({ tables: [], keys: [], alarm: null });
    expect(await kvSnapshot(userHash)).toBeNull();
  });

  it('prunes expired events at their expiry and recomputes the snapshot (a lapsed conversion goes)', async () => {
    const { userHash, stub } = fresh();
    await stub.applyEvents(userHash, [ev(userHash, 'p', 'purchase', 2000, 'adv-acme'), ev(userHash, 'a', 'add_to_cart', 1000)]);
    await runDurableObjectAlarm(stub);
    await sql(stub, "UPDATE events SET ts = ts - ? WHERE id = 'p'", RETENTION_MS + DAY_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const snapshot = await stub.getSnapshot();
    expect(snapshot?.version).toBe(2);
    expect(snapshot?.conversions).toEqual({});
    expect(await sql<{ id: string }>(stub, 'SELECT id FROM events')).toEqual([{ id: 'a' }]);
    // The change is written behind like any other.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await kvSnapshot(userHash)).toEqual(snapshot);
  });

  it('never evicts a purchase to make room for a flood of page views', async () => {
    const { userHash, stub } = fresh();
    await stub.applyEvents(userHash, [ev(userHash, 'p', 'purchase', 60_000, 'adv-acme')]);
    const flood = Array.from({ length: MAX_EVENTS + 100 }, (_, i) => ev(userHash, `v${i}`, 'page_view', 50_000 - i));
    await stub.applyEvents(userHash, flood);
    const counts = await sql<{ type: string; n: number }>(stub, 'SELECT type, COUNT(*) AS n FROM events GROUP BY type ORDER BY type');
    expect(counts).toEqual([
      { type: 'page_view', n: MAX_EVENTS },
      { type: 'purchase', n: 1 },
    ]);
    // Oldest views went first.
    expect(await sql(stub, "SELECT id FROM events WHERE id = 'v0'")).toEqual([]);
    expect((await stub.getSnapshot())?.conversions['adv-acme']).toBeGreaterThan(0);
  });

  it('caps purchases and conversions on their own, oldest first', async () => {
    const { userHash, stub } = fresh();
    const many = Array.from({ length: MAX_CONVERSIONS + 10 }, (_, i) => ev(userHash, `c${i}`, 'conversion', 60_000 - i, `adv-${i}`));
    await stub.applyEvents(userHash, many);
    expect(await sql(stub, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: MAX_CONVERSIONS }]);
    const conversions = (await stub.getSnapshot())?.conversions ?? {};
    expect(conversions['adv-0']).toBeUndefined();
    expect(conversions[`adv-${MAX_CONVERSIONS + 9}`]).toBeDefined();
  });
});
