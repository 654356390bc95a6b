/**
 * Helpers for tests that depend on the known-users filter: the directory object, waiting until
 * this isolate's copy of the published filter lists an id (publication ≤ 1 s after the add, then a
 * refresh), so a test that bids right after posting events or an opt-out is deterministic, and a
 * directory of a test's own whose KV writes are recorded (and can be made to fail).
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { filterFromBytes, type KnownUsersFilter } from '../src/core/identity/known-users-filter';
import { KNOWN_USERS_NAME, type KnownUsers } from '../src/objects/known-users';
import { baseMetadataSchema, parseRecent, type RecentValue } from '../src/store/known-users-values';
import { KNOWN_USERS_BASE_KEY, KNOWN_USERS_RECENT_KEY } from '../src/store/profile-kv-keys';
import { hashUserKey } from '../src/http/crypto';
import { knownUsers, type KnownUsersAnswer } from '../src/store/known-users';
import { eventually } from './helpers';

export const directoryStub = () => env.KNOWN_USERS.get(env.KNOWN_USERS.idFromName(KNOWN_USERS_NAME));

/** What this isolate's copy says about `hash` after reading KV now. */
export async function edgeAnswer(hash: string): Promise<KnownUsersAnswer> {
  await knownUsers.refresh(env.PROFILE_SNAPSHOTS, Date.now());
  return knownUsers.peek(hash, Date.now(), 1_000);
}

/** Waits until the isolate's copy lists every hash (published by the directory and read back). */
export async function untilEdgeLists(...hashes: string[]): Promise<void> {
  await eventually(
    'the known-users filter to list the ids at this edge',
    async () => {
      for (const h of hashes) if ((await edgeAnswer(h)) !== 'maybe') return undefined;
      return true;
    },
    15_000,
  );
}

/** The same for first-party (`uid`) user keys, as events and `user.buyeruid` address them. */
export async function untilEdgeListsUsers(...userKeys: string[]): Promise<void> {
  await untilEdgeLists(...(await Promise.all(userKeys.map((value) => hashUserKey(env.USER_KEY_SECRET, { kind: 'uid', value })))));
}

/** One KV write by an isolated directory: which key, when it started, and the base version it carries or names. */
export interface DirectoryWrite {
  readonly key: 'base' | 'recent';
  readonly atMs: number;
  readonly version: number;
}

/**
 * A directory object of its own (not the shared one other files feed), publishing under keys of
 * its own in the real KV namespace through a wrapper that records each write and can make one
 * fail after it landed. Exact counts and write timings can be asserted on it.
 */
export interface IsolatedDirectory {
  readonly stub: DurableObjectStub<KnownUsers>;
  readonly writes: DirectoryWrite[];
  /** The next base put reaches KV, then reports an error (as a put whose answer was lost). */
  failNextBasePutAfterWrite(): void;
  /** What is under this directory's own keys now. */
  published(): Promise<{ baseVersion: number | null; filter: KnownUsersFilter | null; recent: RecentValue | null }>;
  /** Resets the object (memory gone, storage kept) with no alarm pending, then wraps its KV again. */
  reset(): Promise<void>;
  /** Drops the object's rows and alarm and its keys. */
  dispose(): Promise<void>;
}

export async function isolatedDirectory(): Promise<IsolatedDirectory> {
  const stub = env.KNOWN_USERS.get(env.KNOWN_USERS.idFromName(`isolated-${crypto.randomUUID()}`));
  const prefix = `test-${crypto.randomUUID()}:`;
  const writes: DirectoryWrite[] = [];
  let failBase = false;
  const kv = env.PROFILE_SNAPSHOTS;
  const wrapped = {
    async put(key: string, value: string | ArrayBuffer | ArrayBufferView, options?: KVNamespacePutOptions): Promise<void> {
      const atMs = Date.now();
      if (key === KNOWN_USERS_BASE_KEY) writes.push({ key: 'base', atMs, version: baseMetadataSchema.parse(options?.metadata).version });
      else if (key === KNOWN_USERS_RECENT_KEY) writes.push({ key: 'recent', atMs, version: parseRecent(typeof value === 'string' ? value : null)?.baseVersion ?? -1 });
      await kv.put(prefix + key, value, options);
      if (key === KNOWN_USERS_BASE_KEY && failBase) {
        failBase = false;
        throw new Error('injected: base put landed, answer lost');
      }
    },
  };
  // Every entry into the object goes through here first, so its alarm never publishes to the shared keys.
  const attach = () =>
    runInDurableObject(stub, (instance: KnownUsers) => {
      const holder = instance as unknown as { env: Env };
      if (holder.env.PROFILE_SNAPSHOTS !== (wrapped as unknown as KVNamespace)) holder.env = { ...holder.env, PROFILE_SNAPSHOTS: wrapped as unknown as KVNamespace };
    });
  await attach();
  return {
    stub,
    writes,
    failNextBasePutAfterWrite() {
      failBase = true;
    },
    async published() {
      const base = await kv.getWithMetadata(prefix + KNOWN_USERS_BASE_KEY, 'arrayBuffer');
      const meta = baseMetadataSchema.safeParse(base.metadata);
      return {
        baseVersion: meta.success ? meta.data.version : null,
        filter: base.value ? filterFromBytes(new Uint8Array(base.value)) : null,
        recent: parseRecent(await kv.get(prefix + KNOWN_USERS_RECENT_KEY)),
      };
    },
    async reset() {
      await runInDurableObject(stub, (_o: KnownUsers, state) => state.storage.deleteAlarm());
      await evictDurableObject(stub);
      await attach();
    },
    async dispose() {
      await runInDurableObject(stub, async (_o: KnownUsers, state) => {
        await state.storage.deleteAlarm();
        await state.storage.deleteAll();
      });
      await kv.delete(prefix + KNOWN_USERS_BASE_KEY);
      await kv.delete(prefix + KNOWN_USERS_RECENT_KEY);
    },
  };
}
