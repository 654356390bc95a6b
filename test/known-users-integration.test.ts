/**
 * The known-users filter on the real runtime: the directory object publishes to KV, the edge's
 * copy is read back, and the hot path answers ids the filter has never seen without creating
 * (or calling) their profile object — and reads the object as before whenever the filter is
 * missing, cold, corrupt, or lists the id.
 */
import { listDurableObjectIds } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import fixture from './fixtures/decision-request.json';
import { hashUserKey } from '../src/http/crypto';
import { createFilter } from '../src/core/identity/known-users-filter';
import { createKnownUsersStore, knownUsers, STALE_AFTER_REFRESHES, type KnownUsersKv } from '../src/store/known-users';
import type { BaseMetadata, RecentValue } from '../src/store/known-users-values';
import { KNOWN_USERS_BASE_KEY, KNOWN_USERS_RECENT_KEY } from '../src/store/profile-kv-keys';
import { bannerRequest, event, eventually, fetchWorker, ORIGIN, post, servedUser } from './helpers';
import { directoryStub, edgeAnswer, untilEdgeLists, untilEdgeListsUsers } from './known-users-helpers';

const uidHash = (value: string) => hashUserKey(env.USER_KEY_SECRET, { kind: 'uid', value });

/** Whether `userKey`'s profile object exists (has storage) in this run. */
async function profileObjectExists(userKey: string): Promise<boolean> {
  const id = env.USER_PROFILE.idFromName(await uidHash(userKey)).toString();
  return (await listDurableObjectIds(env.USER_PROFILE)).some((other) => other.toString() === id);
}

async function bid(userKey: string): Promise<{ status: number; source: string | null; extSource: string | undefined }> {
  const res = await post('/openrtb2/bid', bannerRequest(userKey));
  const body = res.status === 200 ? await res.json<{ ext?: { edgebid?: { profileSource?: string } } }>() : null;
  return { status: res.status, source: res.headers.get('x-edgebid-profile-source'), extSource: body?.ext?.edgebid?.profileSource };
}

/** A filter is published and this isolate holds it (any listed id will do). */
async function filterLoaded(): Promise<void> {
  const someone = `h-${crypto.randomUUID()}`;
  await directoryStub().add([someone]);
  await untilEdgeLists(someone);
}

afterEach(() => {
  // Each test starts from a copy read from KV, not one a previous test left.
  knownUsers.clear();
});

describe('known-users filter at the edge', () => {
  it('answers a never-seen id with source unknown and creates no profile object', async () => {
    await filterLoaded();
    const user = `never-seen-${crypto.randomUUID()}`;
    expect(await edgeAnswer(await uidHash(user))).toBe('absent');

    const r = await bid(user);
    expect(r).toEqual({ status: 200, source: 'unknown', extSource: 'unknown' });
    const decision = await post('/v1/decisions', { ...fixture, userKey: user });
    expect(decision.status).toBe(200);
    expect(decision.headers.get('x-edgebid-profile-source')).toBe('unknown');
    expect(await profileObjectExists(user)).toBe(false);
  });

  it('reads the object (source do) when the isolate has no copy yet: cold isolates fail open', async () => {
    await filterLoaded();
    knownUsers.clear();
    const user = `cold-${crypto.randomUUID()}`;
    const r = await bid(user);
    expect(r.source).toBe('do');
    // The control for the test above: reading the profile does create the object.
    expect(await profileObjectExists(user)).toBe(true);
  });

  it('reads the object when the published values are corrupt or missing', async () => {
    await filterLoaded();
    const savedBase = await env.PROFILE_SNAPSHOTS.getWithMetadata(KNOWN_USERS_BASE_KEY, 'arrayBuffer');
    const savedRecent = await env.PROFILE_SNAPSHOTS.get(KNOWN_USERS_RECENT_KEY);
    try {
      // A base of the right version whose bytes are not a filter: refused whole, never half-used.
      await env.PROFILE_SNAPSHOTS.put(KNOWN_USERS_BASE_KEY, new Uint8Array([1, 2, 3, 4]), { metadata: savedBase.metadata });
      await env.PROFILE_SNAPSHOTS.put(KNOWN_USERS_RECENT_KEY, JSON.stringify({ v: 1, baseVersion: 999_999, hashes: [], publishedAtMs: Date.now() }));
      knownUsers.clear();
      expect(await edgeAnswer('anything-at-all-0000')).toBe('unavailable');
      expect((await bid(`corrupt-${crypto.randomUUID()}`)).source).toBe('do');

      await env.PROFILE_SNAPSHOTS.put(KNOWN_USERS_RECENT_KEY, '{"v":1,"baseVersion":"x"}');
      knownUsers.clear();
      expect(await edgeAnswer('anything-at-all-0000')).toBe('unavailable');

      await env.PROFILE_SNAPSHOTS.delete(KNOWN_USERS_RECENT_KEY);
      knownUsers.clear();
      expect(await edgeAnswer('anything-at-all-0000')).toBe('unavailable');
      expect((await bid(`missing-${crypto.randomUUID()}`)).source).toBe('do');
    } finally {
      if (savedBase.value) await env.PROFILE_SNAPSHOTS.put(KNOWN_USERS_BASE_KEY, savedBase.value, { metadata: savedBase.metadata });
      if (savedRecent !== null) await env.PROFILE_SNAPSHOTS.put(KNOWN_USERS_RECENT_KEY, savedRecent);
    }
  });

  it('stops trusting a copy that has not been confirmed for ten refresh intervals', async () => {
    await filterLoaded();
    const hash = await uidHash(`stale-${crypto.randomUUID()}`);
    expect(knownUsers.peek(hash, Date.now(), 1_000)).toBe('absent');
    expect(knownUsers.peek(hash, Date.now() + 10_500, 1_000)).toBe('unavailable');
  });

  it('reads a user whose events were applied from the object, with their segments', async () => {
    const user = await servedUser('known');
    expect((await post('/v1/events', { events: [event(user, 'add_to_cart', { productId: 'tent' })] })).status).toBe(202);
    await untilEdgeListsUsers(user);
    const res = await eventually('the retargeting line item to win', async () => {
      const r = await post('/openrtb2/bid', bannerRequest(user));
      const body = r.status === 200 ? await r.json<{ seatbid: { bid: { price: number; ext: { edgebid: { lineItemId: string } } }[] }[] }>() : null;
      const win = body?.seatbid[0]?.bid[0];
      return win?.ext.edgebid.lineItemId === 'li-acme-cart-retargeting' ? { r, win } : undefined;
    });
    expect(res.r.headers.get('x-edgebid-profile-source')).toBe('do');
    expect(res.win.price).toBe(4);
  });

  it('reads an id linked by an identify event as known (it resolves to the person by alias)', async () => {
    const user = await servedUser('linker');
    const linked = `linked-${crypto.randomUUID()}`;
    const identify = { id: `evt-${crypto.randomUUID()}`, type: 'identify', userKey: user, ts: Date.now(), links: [{ type: 'uid', key: linked }] };
    expect((await post('/v1/events', { events: [event(user, 'add_to_cart', { productId: 'tent' }), identify] })).status).toBe(202);
    await untilEdgeListsUsers(user, linked);
    const r = await bid(linked);
    expect(r.source).toBe('do');
  });
});

describe('the edge copy while a new base and its list propagate', () => {
  // The directory writes the base, then (a second later) the list naming it; KV shows them to an
  // edge in either order. Here on keys of the test's own in the real namespace, written by hand.
  const prefix = `edge-${crypto.randomUUID()}:`;
  const kv: KnownUsersKv = {
    get: (key, type) => env.PROFILE_SNAPSHOTS.get(prefix + key, type),
    getWithMetadata: (key, type) => env.PROFILE_SNAPSHOTS.getWithMetadata(prefix + key, type),
  };
  async function putBase(version: number, ids: readonly string[]): Promise<void> {
    const filter = createFilter(1_000);
    for (const id of ids) filter.add(id);
    const metadata: BaseMetadata = { v: 1, version, count: ids.length };
    await env.PROFILE_SNAPSHOTS.put(prefix + KNOWN_USERS_BASE_KEY, filter.toBytes(), { metadata });
  }
  async function putRecent(baseVersion: number, hashes: string[]): Promise<void> {
    const value: RecentValue = { v: 1, baseVersion, hashes, publishedAtMs: Date.now() };
    await env.PROFILE_SNAPSHOTS.put(prefix + KNOWN_USERS_RECENT_KEY, JSON.stringify(value));
  }

  it('keeps the last consistent pair when the base is newer than the list names, or the list names a base not visible yet', async () => {
    const [inBase, inList, rolled, newer, never] = Array.from({ length: 5 }, () => `h-${crypto.randomUUID()}`) as [string, string, string, string, string];
    const refreshMs = 1_000;
    const t0 = Date.now();
    const edge = createKnownUsersStore();
    await putBase(1, [inBase]);
    await putRecent(1, [inList]);
    await edge.refresh(kv, t0);
    expect([edge.peek(inBase, t0, refreshMs), edge.peek(inList, t0, refreshMs), edge.peek(never, t0, refreshMs)]).toEqual(['maybe', 'maybe', 'absent']);

    // Base 2 is out, the list still names 1: the warm copy goes on, confirmed by each refresh.
    await putBase(2, [inBase, inList, rolled]);
    await edge.refresh(kv, t0 + 5 * refreshMs);
    expect(edge.peek(inList, t0 + 14 * refreshMs, refreshMs)).toBe('maybe');
    // A cold isolate cannot pair them: it fails open.
    const cold = createKnownUsersStore();
    await cold.refresh(kv, t0);
    expect(cold.peek(never, t0, refreshMs)).toBe('unavailable');

    // The list names base 3 before base 3 is visible: the old copy is kept, unconfirmed, then ages out.
    await putRecent(3, [newer]);
    const t1 = t0 + 6 * refreshMs;
    await edge.refresh(kv, t1);
    expect(edge.peek(inList, t1, refreshMs)).toBe('maybe');
    expect(edge.peek(never, t0 + 5 * refreshMs + STALE_AFTER_REFRESHES * refreshMs + 1, refreshMs)).toBe('unavailable');

    // Base 3 arrives: the new pair, ids of both lists and bases answered.
    await putBase(3, [inBase, inList, rolled]);
    const t2 = t0 + 7 * refreshMs;
    await edge.refresh(kv, t2);
    expect([inBase, inList, rolled, newer].map((h) => edge.peek(h, t2, refreshMs))).toEqual(['maybe', 'maybe', 'maybe', 'maybe']);
    expect(edge.peek(never, t2, refreshMs)).toBe('absent');
    await env.PROFILE_SNAPSHOTS.delete(prefix + KNOWN_USERS_BASE_KEY);
    await env.PROFILE_SNAPSHOTS.delete(prefix + KNOWN_USERS_RECENT_KEY);
  });
});

describe('opted-out ids and the known-users filter', () => {
  it('regression: an id opted out before it ever had a profile is treated as opted out at the edge, not as unknown', async () => {
    const user = await servedUser('optout-never-seen');
    const hash = await uidHash(user);
    await filterLoaded();
    expect(await edgeAnswer(hash)).toBe('absent');

    const res = await fetchWorker(`${ORIGIN}/v1/users/${user}/opt-out`, { method: 'POST' });
    expect(res.status).toBe(200);
    // Listed by the route before it answered:
    expect(await directoryStub().listed([hash])).toBe(1);
    await untilEdgeLists(hash);

    // Contextual: the object says opted out, and no user travels in tracking links.
    const decision = await post('/v1/decisions', { ...fixture, userKey: user });
    expect(decision.headers.get('x-edgebid-profile-source')).toBe('do');
    const body = await decision.json<{ decisions: { impressionUrl?: string }[] }>();
    const token = body.decisions[0]?.impressionUrl?.split('/v1/t/')[1]?.split('?')[0]?.split('.')[0] ?? '';
    expect(token).not.toBe('');
    const payload = JSON.parse(atob(token.replaceAll('-', '+').replaceAll('_', '/'))) as Record<string, unknown>;
    expect(payload.u).toBeUndefined();
  });
});
