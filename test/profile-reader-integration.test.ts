/**
 * The hot path's profile read under its deadline, against the real object and real KV:
 * a slow or failing object falls back to the KV snapshot, then to no profile, never late.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ProfileSnapshot } from '../src/core/model';
import { platformSources, readProfile, type SnapshotSources } from '../src/store/profile-reader';
import { event, eventually, post, profileStub } from './helpers';

const snapshot: ProfileSnapshot = {
  version: 3,
  updatedAtMs: 1,
  segments: { cart_abandoners: { sinceMs: 0, expiresAtMs: 9e12 } },
  conversions: {},
};

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

describe('readProfile', () => {
  it('reads the Durable Object when it answers in time', async () => {
    const user = `pr-${crypto.randomUUID()}`;
    expect((await post('/v1/events', { events: [event(user, 'add_to_cart')] })).status).toBe(202);
    const { hash, stub } = await profileStub(user);
    await eventually('the profile', async () => (await stub.getSnapshot()) ?? undefined);
    const read = await readProfile(platformSources(env), hash, 2000);
    expect(read.source).toBe('do');
    expect(read.snapshot?.segments.cart_abandoners).toBeDefined();
  });

  it('falls back to the KV snapshot when the object misses the deadline', async () => {
    const hash = `h-${crypto.randomUUID()}`;
    await env.PROFILE_SNAPSHOTS.put(hash, JSON.stringify(snapshot));
    const slow: SnapshotSources = { ...platformSources(env), fromObject: never };
    const started = Date.now();
    const read = await readProfile(slow, hash, 300);
    expect(read).toEqual({ snapshot, source: 'kv' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('falls back to KV when the object fails, and to nothing when KV has nothing valid', async () => {
    const hash = `h-${crypto.randomUUID()}`;
    const failing: SnapshotSources = { ...platformSources(env), fromObject: () => Promise.reject(new Error('overloaded')) };
    expect(await readProfile(failing, hash, 300)).toEqual({ snapshot: null, source: 'none' });
    await env.PROFILE_SNAPSHOTS.put(hash, JSON.stringify({ version: 'not a number' }));
    expect(await readProfile(failing, hash, 300)).toEqual({ snapshot: null, source: 'none' });
    await env.PROFILE_SNAPSHOTS.put(hash, JSON.stringify(snapshot));
    expect(await readProfile(failing, hash, 300)).toEqual({ snapshot, source: 'kv' });
  });

  it('answers with no profile at once when the budget is spent', async () => {
    const read = await readProfile({ fromObject: never, fromKv: never }, 'h', 0);
    expect(read).toEqual({ snapshot: null, source: 'none' });
  });

  it('gives up on both sources within the budget', async () => {
    const started = Date.now();
    const read = await readProfile({ fromObject: never, fromKv: never }, 'h', 60);
    expect(read.source).toBe('none');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
