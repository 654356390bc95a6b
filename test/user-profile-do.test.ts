/** The UserProfile Durable Object through its typed RPC methods, on real SQLite storage. */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ProfileEvent } from '../src/core/model';
import { DAY_MS } from '../src/core/segments/realtime';
import type { UserProfile } from '../src/objects/user-profile';

function fresh() {
  const userHash = `h-${crypto.randomUUID()}`;
  return { userHash, stub: env.USER_PROFILE.get(env.USER_PROFILE.idFromName(userHash)) };
}

const ev = (userHash: string, id: string, type: ProfileEvent['type'], agoMs: number, advertiserId?: string): ProfileEvent => ({
  id,
  type,
  userHash,
  tsMs: Date.now() - agoMs,
  ...(advertiserId ? { advertiserId } : {}),
});

describe('UserProfile', () => {
  it('has no snapshot before any event', async () => {
    expect(await fresh().stub.getSnapshot()).toBeNull();
  });

  it('writes nothing when only read (the bid path activates objects for unknown users)', async () => {
    const { stub } = fresh();
    expect(await stub.getSnapshot()).toBeNull();
    const tables = await runInDurableObject(stub, (_instance: UserProfile, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray(),
    );
    expect(tables).toEqual([]);
  });

  it('applies events once by id and bumps the version only on change', async () => {
    const { userHash, stub } = fresh();
    const first = await stub.applyEvents([ev(userHash, 'a', 'add_to_cart', 1000), ev(userHash, 'b', 'product_view', 500)]);
    expect(first.applied).toEqual(['a', 'b']);
    expect(first.snapshot?.version).toBe(1);
    expect(first.snapshot?.segments.cart_abandoners).toBeDefined();
    const again = await stub.applyEvents([ev(userHash, 'a', 'add_to_cart', 1000)]);
    expect(again).toMatchObject({ applied: [], duplicates: 1, snapshot: { version: 1 } });
  });

  it('records conversions per advertiser and leaves cart abandoners after a purchase', async () => {
    const { userHash, stub } = fresh();
    await stub.applyEvents([ev(userHash, 'a', 'add_to_cart', 2000)]);
    const after = await stub.applyEvents([ev(userHash, 'p', 'purchase', 1000, 'adv-acme')]);
    expect(after.snapshot?.segments.cart_abandoners).toBeUndefined();
    expect(after.snapshot?.conversions['adv-acme']).toBeGreaterThan(0);
  });

  it('ignores events older than the retention window', async () => {
    const { userHash, stub } = fresh();
    const r = await stub.applyEvents([ev(userHash, 'old', 'page_view', 31 * DAY_MS)]);
    expect(r.applied).toEqual([]);
    expect(r.snapshot).toBeNull();
  });

  it('keeps the snapshot across a restart of the object (loaded from storage)', async () => {
    const { userHash, stub } = fresh();
    await stub.applyEvents([ev(userHash, 'a', 'add_to_cart', 1000)]);
    const rows = await runInDurableObject(stub, (_instance: UserProfile, state) => {
      return state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM events').one().n;
    });
    expect(rows).toBe(1);
    const stored = await runInDurableObject(stub, (_instance: UserProfile, state) => state.storage.get('snapshot'));
    expect(stored).toEqual(await stub.getSnapshot());
  });
});
