/**
 * The KnownUsers directory object on the real runtime, and who feeds it: publishing the base and
 * the recent list to KV (rollover to a new base, capacity growth, erase), the profile consumer
 * listing a batch's ids before applying it (and retrying the whole batch when it cannot), the
 * erase route removing the person's rows. Other test files add ids to the shared object meanwhile,
 * so assertions on it are about this test's ids and about versions moving forward; exact counts,
 * write timings and injected KV failures use a directory of the test's own, on keys of its own.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { filterFromBytes, filterSize } from '../src/core/identity/known-users-filter';
import type { ProfileEvent } from '../src/core/model';
import { hashUserKey } from '../src/http/crypto';
import { RECENT_INTERVAL_MS, type KnownUsers } from '../src/objects/known-users';
import { handleProfileBatch, platformEffects, type ProfileEffects } from '../src/queue/profile-consumer';
import { baseMetadataSchema, parseRecent } from '../src/store/known-users-values';
import { KNOWN_USERS_BASE_KEY, KNOWN_USERS_RECENT_KEY } from '../src/store/profile-kv-keys';
import { event, eventually, fetchWorker, ORIGIN, post } from './helpers';
import { directoryStub, isolatedDirectory, untilEdgeLists, type IsolatedDirectory } from './known-users-helpers';
import { stubOf } from './profile-helpers';

const hashes = (n: number) => Array.from({ length: n }, () => `h-${crypto.randomUUID()}`);

/**
 * Makes the next base due now (the real one waits up to a minute) and runs the alarm. The real
 * alarm may fire by itself meanwhile, so this waits for the new base version either way.
 */
async function publishBaseNow(): Promise<void> {
  const before = (await directoryStub().status()).baseVersion;
  await runInDurableObject(directoryStub(), async (_o: KnownUsers, state) => {
    state.storage.sql.exec("UPDATE meta SET value = 0 WHERE key IN ('baseAtMs', 'recentAtMs')");
    if ((await state.storage.getAlarm()) === null) await state.storage.setAlarm(Date.now());
  });
  await runDurableObjectAlarm(directoryStub());
  await eventually('a new base and a recent list naming it', async () => {
    const { baseVersion } = await directoryStub().status();
    const recent = parseRecent(await env.PROFILE_SNAPSHOTS.get(KNOWN_USERS_RECENT_KEY));
    return baseVersion > before && recent?.baseVersion === baseVersion ? true : undefined;
  });
}

async function published() {
  const base = await env.PROFILE_SNAPSHOTS.getWithMetadata(KNOWN_USERS_BASE_KEY, 'arrayBuffer');
  const meta = baseMetadataSchema.parse(base.metadata);
  const filter = base.value ? filterFromBytes(new Uint8Array(base.value)) : null;
  const recent = parseRecent(await env.PROFILE_SNAPSHOTS.get(KNOWN_USERS_RECENT_KEY));
  return { version: meta.version, filter, recent };
}

async function consume(bodies: readonly unknown[], effects: ProfileEffects = platformEffects(env)) {
  const batch = createMessageBatch(
    'profile-events',
    bodies.map((body) => ({ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await handleProfileBatch(batch, env, effects);
  await waitOnExecutionContext(ctx);
  return getQueueResult(batch, ctx);
}

describe('KnownUsers directory', () => {
  it('adds once, publishes the recent list within about a second, and says how many were new', async () => {
    const mine = hashes(3);
    expect(await directoryStub().add([...mine, mine[0] ?? ''])).toEqual({ added: 3 });
    expect(await directoryStub().add(mine)).toEqual({ added: 0 });
    expect(await directoryStub().listed(mine)).toBe(3);
    await untilEdgeLists(...mine);
  });

  it('rolls the recent list over into a new base once it passes 2,000 ids', async () => {
    const before = await directoryStub().status();
    const mine = hashes(2_001);
    expect((await directoryStub().add(mine)).added).toBe(2_001);
    await publishBaseNow();
    const after = await published();
    expect(after.version).toBeGreaterThan(before.baseVersion);
    expect(after.recent?.baseVersion).toBe(after.version);
    const recent = new Set(after.recent?.hashes ?? []);
    expect(mine.some((h) => recent.has(h))).toBe(false);
    expect(mine.every((h) => after.filter?.mightContain(h))).toBe(true);
  });

  it('drops erased rows, takes them out of the recent list, and rebuilds the base without them', async () => {
    const mine = hashes(2);
    await directoryStub().add(mine);
    await publishBaseNow();
    expect(await directoryStub().remove([mine[0] ?? ''])).toEqual({ removed: 1 });
    expect(await directoryStub().listed(mine)).toBe(1);
    const removalsOf = () =>
      runInDurableObject(directoryStub(), (_o: KnownUsers, state) =>
        Object.fromEntries(state.storage.sql.exec<{ key: string; value: number }>("SELECT key, value FROM meta WHERE key IN ('removals', 'baseRemovals')").toArray().map((r) => [r.key, r.value])),
      );
    const pending = await removalsOf();
    expect(pending.removals).not.toBe(pending.baseRemovals);
    await publishBaseNow();
    const rebuilt = await removalsOf();
    expect(rebuilt.baseRemovals).toBe(rebuilt.removals);
    expect((await published()).recent?.hashes).not.toContain(mine[0]);
  });

  it('forgets the person on erase (DELETE /v1/users/:key)', async () => {
    const user = `erase-known-${crypto.randomUUID()}`;
    const hash = await hashUserKey(env.USER_KEY_SECRET, { kind: 'uid', value: user });
    expect((await post('/v1/events', { events: [event(user, 'page_view')] })).status).toBe(202);
    await untilEdgeLists(hash);
    const res = await fetchWorker(`${ORIGIN}/v1/users/${user}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await directoryStub().listed([hash])).toBe(0);
  });
});

describe('KnownUsers directory on its own keys (exact counts and write timings)', () => {
  /** Runs `body` against a directory of its own, then drops it. */
  async function withDirectory(body: (dir: IsolatedDirectory) => Promise<void>): Promise<void> {
    const dir = await isolatedDirectory();
    try {
      await body(dir);
    } finally {
      await dir.dispose();
    }
  }

  /** Waits until the published pair is the object's current base and a list naming it, nothing pending. */
  async function settled(dir: IsolatedDirectory, lists: readonly string[] = []) {
    return eventually('the base and a recent list naming it', async () => {
      const status = await dir.stub.status();
      const p = await dir.published();
      const names = status.baseVersion > 0 && p.baseVersion === status.baseVersion && p.recent?.baseVersion === status.baseVersion;
      const listed = lists.every((h) => p.recent?.hashes.includes(h) === true || p.filter?.mightContain(h) === true);
      return names && listed && !status.recentDirty ? { status, ...p } : undefined;
    });
  }

  it('doubles the capacity when the ids pass it, rebuilding the base from the rows', async () => {
    await withDirectory(async (dir) => {
      await dir.stub.add(hashes(10));
      const first = await settled(dir);
      const mine = hashes(first.status.capacity - first.status.count + 1);
      await dir.stub.add(mine);
      const grown = await eventually('the grown base', async () => {
        const s = await settled(dir);
        return s.status.capacity > first.status.capacity ? s : undefined;
      });
      expect(grown.status.capacity).toBe(first.status.capacity * 2);
      expect(grown.status.count).toBe(first.status.capacity + 1);
      expect(grown.filter?.bitCount).toBe(filterSize(grown.status.capacity).bitCount);
      // Nothing else writes to this object, so the base holds exactly its rows.
      expect(grown.filter?.count).toBe(grown.status.count);
      expect(mine.every((h) => grown.filter?.mightContain(h))).toBe(true);
    });
  });

  it('regression: a base put that lands but reports an error is retried under a new version, also after a reset', async () => {
    await withDirectory(async (dir) => {
      const mine = hashes(3);
      dir.failNextBasePutAfterWrite();
      await dir.stub.add(mine);
      const failed = await eventually('the failed base attempt', () => Promise.resolve(dir.writes.find((w) => w.key === 'base')));
      // It landed, but the object does not count it as published.
      expect((await dir.published()).baseVersion).toBe(failed.version);
      expect((await dir.stub.status()).baseVersion).toBe(0);
      // The object loses its memory before the retry; only storage survives.
      await dir.reset();
      await runInDurableObject(dir.stub, (_o: KnownUsers, state) => state.storage.setAlarm(Date.now()));
      await runDurableObjectAlarm(dir.stub);
      const done = await settled(dir, mine);
      expect(done.status.baseVersion).toBeGreaterThan(failed.version);
      const versions = dir.writes.filter((w) => w.key === 'base').map((w) => w.version);
      expect(versions.length).toBeGreaterThanOrEqual(2);
      // No version was ever written twice: an edge holding the first bytes can never pair them with a list for the second.
      expect(new Set(versions).size).toBe(versions.length);
      expect(done.recent?.baseVersion).toBe(done.status.baseVersion);
    });
  });

  it('keeps the count in step with inserts and deletes, counting only rows actually added or removed', async () => {
    await withDirectory(async (dir) => {
      const [a, b, c, d] = hashes(4) as [string, string, string, string];
      const count = async () => (await dir.stub.status()).count;
      expect(await dir.stub.add([a, b])).toEqual({ added: 2 });
      expect(await count()).toBe(2);
      expect(await dir.stub.add([a, b, c, c])).toEqual({ added: 1 });
      expect(await count()).toBe(3);
      expect(await dir.stub.remove([a, 'never-listed'])).toEqual({ removed: 1 });
      expect(await count()).toBe(2);
      expect(await dir.stub.remove([a])).toEqual({ removed: 0 });
      expect(await dir.stub.add([a, d, b])).toEqual({ added: 2 });
      expect(await count()).toBe(4);
      const rows = () => runInDurableObject(dir.stub, (_o: KnownUsers, state) => state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM known').one().n);
      expect(await rows()).toBe(4);
      // Kept in the meta table (status and the alarm read it there, with no scan of the rows).
      const kept = () => runInDurableObject(dir.stub, (_o: KnownUsers, state) => state.storage.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'count'").toArray()[0]?.value);
      expect(await kept()).toBe(4);
      // An object from before the count was kept counts its rows once on activation.
      await runInDurableObject(dir.stub, (_o: KnownUsers, state) => {
        state.storage.sql.exec("DELETE FROM meta WHERE key = 'count'");
      });
      await dir.reset();
      expect(await count()).toBe(4);
      expect(await dir.stub.add([c, hashes(1)[0] ?? ''])).toEqual({ added: 1 });
      expect(await count()).toBe(5);
      expect(await rows()).toBe(5);
    });
  });

  it('regression: never writes the recent key twice within a second, also across a rollover to a new base', async () => {
    await withDirectory(async (dir) => {
      const first = hashes(2);
      await dir.stub.add(first);
      await settled(dir, first);
      const second = hashes(1);
      await dir.stub.add(second);
      const before = await settled(dir, second);
      // Past the rollover: the new base is due at once, a second after the last base, while the
      // recent key was written moments ago.
      const many = hashes(2_001);
      await dir.stub.add(many);
      const after = await eventually('the new base and a list naming it', async () => {
        const s = await settled(dir, many);
        return s.status.baseVersion > before.status.baseVersion ? s : undefined;
      });
      expect(after.recent?.hashes.some((h) => many.includes(h))).toBe(false);
      for (const key of ['recent', 'base'] as const) {
        const times = dir.writes.filter((w) => w.key === key).map((w) => w.atMs);
        expect(times.length).toBeGreaterThanOrEqual(2);
        for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(RECENT_INTERVAL_MS);
      }
      // Until the list names the new base, edges keep the old base and the old list: each list names a base written before it.
      for (const w of dir.writes.filter((x) => x.key === 'recent')) {
        const base = dir.writes.find((x) => x.key === 'base' && x.version === w.version);
        expect(base !== undefined && base.atMs <= w.atMs).toBe(true);
      }
    });
  });
});

describe('the profile consumer and the directory', () => {
  it('lists every user of a batch and the ids identify events link, before applying', async () => {
    const [a, b, linked] = hashes(3) as [string, string, string];
    const events: ProfileEvent[] = [
      { id: `e-${crypto.randomUUID()}`, type: 'page_view', userHash: a, tsMs: Date.now(), advertiserId: 'adv-acme' },
      { id: `e-${crypto.randomUUID()}`, type: 'identify', userHash: b, tsMs: Date.now(), links: [linked] },
    ];
    const result = await consume(events);
    expect(result.explicitAcks).toHaveLength(2);
    expect(await directoryStub().listed([a, b, linked])).toBe(3);
  });

  it('retries the whole batch, applying nothing, when the ids cannot be listed', async () => {
    const [a, b] = hashes(2) as [string, string];
    let applied = 0;
    const real = platformEffects(env);
    const failing: ProfileEffects = {
      ...real,
      addKnownUsers: () => Promise.reject(new Error('directory unreachable')),
      applyEvents: (hash, evs) => {
        applied++;
        return real.applyEvents(hash, evs);
      },
    };
    const events = [a, b].map((userHash): ProfileEvent => ({ id: `e-${crypto.randomUUID()}`, type: 'page_view', userHash, tsMs: Date.now(), advertiserId: 'adv-acme' }));
    const result = await consume(events, failing);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(2);
    expect(applied).toBe(0);
    expect(await stubOf(a).getSnapshot()).toBeNull();
    expect(await directoryStub().listed([a, b])).toBe(0);
  });
});
