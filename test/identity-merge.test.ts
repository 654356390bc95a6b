/**
 * Identity on the real runtime: `identify` events link ids to one profile (the smallest hash),
 * merging whatever each id had; later events and snapshot reads under any linked id reach it,
 * redeliveries stay idempotent across the merge, and the edge's alias lookup finds it.
 * Events are fed through the real consumer and objects; the queue itself is not needed here.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ProfileEvent, ProfileEventType } from '../src/core/model';
import { segmentKey } from '../src/core/segments/segment-key';
import { handleProfileBatch } from '../src/queue/profile-consumer';
import { resolveAudience } from '../src/http/audience';
import { hashUserKey } from '../src/http/crypto';
import { clearAliasCache, resolveCanonical } from '../src/store/alias-cache';
import { aliasKey } from '../src/store/profile-kv-keys';
import { snapshotOf, stored, stubOf } from './profile-helpers';

async function consume(events: readonly ProfileEvent[]) {
  const batch = createMessageBatch(
    'profile-events',
    events.map((body) => ({ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await handleProfileBatch(batch, env);
  await waitOnExecutionContext(ctx);
  return getQueueResult(batch, ctx);
}

const ids = (n: number) => Array.from({ length: n }, () => `h-${crypto.randomUUID()}`).sort();
const at = (userHash: string, id: string, type: ProfileEventType, extra: Partial<ProfileEvent> = {}): ProfileEvent => ({
  id,
  type,
  userHash,
  tsMs: Date.now() - 1000,
  advertiserId: 'adv-acme',
  ...extra,
});
const identify = (userHash: string, links: string[]): ProfileEvent => ({ id: `id-${crypto.randomUUID()}`, type: 'identify', userHash, tsMs: Date.now(), links });
const total = (s: Awaited<ReturnType<typeof snapshotOf>>, key: string) => s?.activity?.[key]?.daily.reduce((n, [, c]) => n + c, 0) ?? 0;

describe('identity', () => {
  beforeEach(() => {
    clearAliasCache();
  });

  it('merges two existing profiles into the smaller hash: counters add up, segments follow', async () => {
    const [small = '', large = ''] = ids(2);
    // Two views on each device: neither is a product explorer (more than 3 views) alone.
    await consume([at(large, 'l1', 'product_view'), at(large, 'l2', 'product_view'), at(small, 's1', 'product_view'), at(small, 's2', 'product_view')]);
    expect((await snapshotOf(stubOf(small)))?.segments[segmentKey('product_explorers', 'adv-acme')]).toBeUndefined();

    // The identify arrives under the larger id: the direction does not depend on who asks.
    const r = await consume([identify(large, [small])]);
    expect(r.explicitAcks).toHaveLength(1);
    const merged = await snapshotOf(stubOf(small));
    expect(total(merged, 'product_view@adv-acme')).toBe(4);
    expect(merged?.segments[segmentKey('product_explorers', 'adv-acme')]).toBeDefined();

    // The merged-away id keeps only a pointer; KV knows the alias; its snapshot reads forward.
    expect((await stored(stubOf(large))).keys.sort()).toEqual(['identity', 'userHash']);
    expect(await env.PROFILE_SNAPSHOTS.get(aliasKey(large))).toBe(small);
    expect(await env.PROFILE_SNAPSHOTS.get(large)).toBeNull();
    expect(await stubOf(large).getSnapshot()).toEqual(merged);
  });

  it('sends later events under a linked id to the profile, and applies a redelivery of a pre-merge event once', async () => {
    const [a = '', b = ''] = ids(2);
    await consume([at(b, 'b-cart', 'add_to_cart')]);
    await consume([identify(a, [b])]);
    // Redelivery of the event already applied before the merge, and a new one: both under b.
    await consume([at(b, 'b-cart', 'add_to_cart'), at(b, 'b-buy', 'purchase')]);
    const s = await snapshotOf(stubOf(a));
    expect(total(s, 'add_to_cart@adv-acme')).toBe(1);
    expect(s?.conversions['purchase@adv-acme']).toBeDefined();
    expect(s?.segments[segmentKey('cart_abandoners', 'adv-acme')]).toBeUndefined();
  });

  it('merges sets of ids: a link between two merged groups re-points every alias to the one profile', async () => {
    const [p = '', q = '', r = '', s = ''] = ids(4);
    await consume([at(q, 'q1', 'page_view'), at(s, 's1', 'page_view')]);
    await consume([identify(q, [r])]); // q absorbs r
    await consume([identify(s, [p])]); // p absorbs s
    await consume([identify(r, [s])]); // r → q, s → p: p absorbs q, and q's alias r is re-pointed
    for (const h of [q, r, s]) expect(await env.PROFILE_SNAPSHOTS.get(aliasKey(h))).toBe(p);
    expect(total(await snapshotOf(stubOf(p)), 'page_view@adv-acme')).toBe(2);
    await consume([at(r, 'r1', 'page_view')]);
    expect(total(await snapshotOf(stubOf(p)), 'page_view@adv-acme')).toBe(3);
    // Linking ids already linked changes nothing.
    await consume([identify(s, [q, r])]);
    expect(total(await snapshotOf(stubOf(p)), 'page_view@adv-acme')).toBe(3);
  });

  it('opts a person out under any of their ids', async () => {
    const [a = '', b = ''] = ids(2);
    await consume([at(a, 'a1', 'add_to_cart'), identify(a, [b])]);
    expect(await stubOf(b).optOut(b)).toEqual({ profile: a, aliases: 1 });
    expect(await stubOf(b).getSnapshot()).toMatchObject({ optedOut: true, segments: {}, conversions: {} });
    const later = await consume([at(b, 'b1', 'add_to_cart')]);
    expect(later.explicitAcks).toHaveLength(1);
    expect((await snapshotOf(stubOf(a)))?.activity).toBeUndefined();
  });

  it('resolves aliases at the edge from KV, cached per isolate', async () => {
    const [a = '', b = ''] = ids(2);
    await consume([at(b, 'b1', 'page_view'), identify(b, [a])]);
    const gets: string[] = [];
    const kv = { get: (key: string, o: { cacheTtl: number }) => (gets.push(key), env.PROFILE_SNAPSHOTS.get(key, o)) };
    const deadline = Date.now() + 1_000;
    expect(await resolveCanonical(kv, b, deadline)).toBe(a);
    expect(await resolveCanonical(kv, b, deadline)).toBe(a);
    expect(await resolveCanonical(kv, a, deadline)).toBe(a);
    expect(gets).toEqual([aliasKey(b), aliasKey(a)]);
    // No time left: the key itself (its object forwards), and nothing cached.
    expect(await resolveCanonical(kv, `h-${crypto.randomUUID()}`, Date.now() - 1)).toMatch(/^h-/);
  });

  it('answers a bid under a linked id from the canonical profile, and names the canonical hash (holdout, caps)', async () => {
    const users = [`link-${crypto.randomUUID()}`, `link-${crypto.randomUUID()}`];
    const hashes = await Promise.all(users.map((value) => hashUserKey(env.USER_KEY_SECRET, { kind: 'uid', value })));
    const [small = '', large = ''] = [...hashes].sort();
    const absorbedUser = users[hashes.indexOf(large)] ?? '';
    await consume([at(small, 'c1', 'add_to_cart'), identify(large, [small])]);
    const resolved = await resolveAudience(env, { consent: {}, userKey: { kind: 'uid', value: absorbedUser } }, Date.now() + 2_000);
    expect(resolved.userHash).toBe(small);
    expect(resolved.profile.snapshot?.segments[segmentKey('cart_abandoners', 'adv-acme')]).toBeDefined();
  });
});
