/**
 * Helpers for tests that depend on the known-users filter: the directory object, and waiting until
 * this isolate's copy of the published filter lists an id (publication ≤ 1 s after the add, then a
 * refresh), so a test that bids right after posting events or an opt-out is deterministic.
 */
import { env } from 'cloudflare:workers';
import { KNOWN_USERS_NAME } from '../src/objects/known-users';
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
