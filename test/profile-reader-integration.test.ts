/**
 * The hot path's profile read under its deadline, against the real object and real KV:
 * a slow or failing object falls back to the KV snapshot, then to no profile, never late.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ProfileSnapshot } from '../src/core/model';
import { platformSources, readProfile, type SnapshotSources } from '../src/store/profile-reader';
import { event, eventually, post, profileStub } from './helpers';

const snapshot: ProfileSnapshot = {
  version: 3,
  updatedAtMs: 1,
  segments: { 'cart_abandoners@adv-acme': { sinceMs: 0, expiresAtMs: 9e12 } },
  conversions: {},
};

/** Slack for timers and scheduling on a loaded 2-core box; the budgets below are far smaller than what a broken deadline would take. */
const SLACK_MS = 150;
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const within = (ms: number): number => Date.now() + ms;

describe('readProfile', () => {
  it('reads the Durable Object when it answers in time', async () => {
    const user = `pr-${crypto.randomUUID()}`;
    expect((await post('/v1/events', { events: [event(user, 'add_to_cart')] })).status).toBe(202);
    const { hash, stub } = await profileStub(user);
    await eventually('the profile', async () => (await stub.getSnapshot()) ?? undefined);
    const read = await readProfile(platformSources(env), hash, within(2000));
    expect(read.source).toBe('do');
    expect(read.snapshot?.segments['cart_abandoners@adv-acme']).toBeDefined();
  });

  it('falls back to the KV snapshot when the real object is busy past the deadline', async () => {
    const { hash, stub } = await profileStub(`busy-${crypto.randomUUID()}`);
    await env.PROFILE_SNAPSHOTS.put(hash, JSON.stringify(snapshot));
    // Hold the object's input gate for 800 ms (timer created inside the object): the read queues
    // behind it, as under overload.
    const held = runInDurableObject(stub, (_instance, state) =>
      state.blockConcurrencyWhile(() => new Promise<void>((resolve) => setTimeout(resolve, 800))),
    );
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    const read = await readProfile(platformSources(env), hash, within(100));
    const tookMs = Date.now() - started;
    await held;
    expect(read).toEqual({ snapshot, source: 'kv' });
    expect(tookMs).toBeLessThan(100 + SLACK_MS);
  });

  it('falls back to the KV snapshot when the object misses the deadline', async () => {
    const hash = `h-${crypto.randomUUID()}`;
    await env.PROFILE_SNAPSHOTS.put(hash, JSON.stringify(snapshot));
    const slow: SnapshotSources = { ...platformSources(env), fromObject: never };
    const started = Date.now();
    const read = await readProfile(slow, hash, within(60));
    expect(read).toEqual({ snapshot, source: 'kv' });
    expect(Date.now() - started).toBeLessThan(60 + SLACK_MS);
  });

  it('falls back to KV when the object fails, and to nothing when KV has nothing valid', async () => {
    const hash = `h-${crypto.randomUUID()}`;
    const failing: SnapshotSources = { ...platformSources(env), fromObject: () => Promise.reject(new Error('overloaded')) };
    expect(await readProfile(failing, hash, within(300))).toEqual({ snapshot: null, source: 'none' });
    await env.PROFILE_SNAPSHOTS.put(hash, JSON.stringify({ version: 'not a number' }));
    expect(await readProfile(failing, hash, within(300))).toEqual({ snapshot: null, source: 'none' });
    await env.PROFILE_SNAPSHOTS.put(hash, JSON.stringify(snapshot));
    expect(await readProfile(failing, hash, within(300))).toEqual({ snapshot, source: 'kv' });
  });

  it('gives KV what is left when the object fails fast, not just the reserved slice', async () => {
    const hash = `h-${crypto.randomUUID()}`;
    await env.PROFILE_SNAPSHOTS.put(hash, JSON.stringify(snapshot));
    const real = platformSources(env);
    const sources: SnapshotSources = {
      fromObject: () => Promise.reject(new Error('unavailable')),
      // Slower than the 10 ms slice kept for KV, well inside the 200 ms left.
      fromKv: async (h) => {
        await new Promise((r) => setTimeout(r, 40));
        return real.fromKv(h);
      },
    };
    expect(await readProfile(sources, hash, within(200))).toEqual({ snapshot, source: 'kv' });
  });

  it('does not call the object at all when the deadline has passed', async () => {
    let calls = 0;
    const counting: SnapshotSources = {
      fromObject: () => {
        calls++;
        return never();
      },
      fromKv: never,
    };
    expect(await readProfile(counting, 'h', Date.now() - 1)).toEqual({ snapshot: null, source: 'none' });
    expect(calls).toBe(0);
  });

  it('gives up on both sources by the deadline', async () => {
    const started = Date.now();
    const read = await readProfile({ fromObject: never, fromKv: never }, 'h', within(60));
    expect(read.source).toBe('none');
    expect(Date.now() - started).toBeLessThan(60 + SLACK_MS);
  });
});
