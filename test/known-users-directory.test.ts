/**
 * The KnownUsers directory object on the real runtime, and who feeds it: publishing the base and
 * the recent list to KV (rollover to a new base, capacity growth, erase), the profile consumer
 * listing a batch's ids before applying it (and retrying the whole batch when it cannot), the
 * erase route removing the person's rows. Other test files add ids to the same object meanwhile,
 * so assertions are about this test's ids and about versions moving forward.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { filterFromBytes, filterSize } from '../src/core/identity/known-users-filter';
import type { ProfileEvent } from '../src/core/model';
import { hashUserKey } from '../src/http/crypto';
import type { KnownUsers } from '../src/objects/known-users';
import { handleProfileBatch, platformEffects, type ProfileEffects } from '../src/queue/profile-consumer';
import { baseMetadataSchema, parseRecent } from '../src/store/known-users-values';
import { KNOWN_USERS_BASE_KEY, KNOWN_USERS_RECENT_KEY } from '../src/store/profile-kv-keys';
import { event, eventually, fetchWorker, ORIGIN, post } from './helpers';
import { directoryStub, untilEdgeLists } from './known-users-helpers';
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

  it('doubles the capacity when the ids pass it, rebuilding the base from the rows', async () => {
    const { count, capacity } = await directoryStub().status();
    await directoryStub().add(hashes(Math.max(1, capacity - count + 1)));
    await publishBaseNow();
    const status = await directoryStub().status();
    expect(status.capacity).toBeGreaterThanOrEqual(capacity * 2);
    expect(status.count).toBeLessThanOrEqual(status.capacity);
    const { filter } = await published();
    expect(filter?.bitCount).toBe(filterSize(status.capacity).bitCount);
    expect(filter?.count).toBe(status.count);
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
