/**
 * Reads a user's snapshot for the hot path: the user's Durable Object first, under our own
 * deadline; on timeout or failure the KV snapshot, under what is left; else no profile.
 * Exactly one DO call at most, and it is read-only.
 */
import type { ProfileSnapshot, ProfileSource } from '../core/model';
import { parseSnapshot } from '../core/segments/snapshot-schema';
import { snapshotOf } from '../objects/rpc-plain';
import { TIMED_OUT, withDeadline } from './deadline';

export interface ProfileRead {
  readonly snapshot: ProfileSnapshot | null;
  readonly source: ProfileSource;
}

/** Where snapshots come from; injectable so tests can slow or break the real object. */
export interface SnapshotSources {
  fromObject(userHash: string): Promise<ProfileSnapshot | null>;
  /** Raw KV value, validated by the reader. */
  fromKv(userHash: string): Promise<unknown>;
}

export function platformSources(env: Env): SnapshotSources {
  return {
    fromObject: (userHash) => snapshotOf(env.USER_PROFILE.get(env.USER_PROFILE.idFromName(userHash)).getSnapshot()),
    fromKv: (userHash) => env.PROFILE_SNAPSHOTS.get(userHash, 'json'),
  };
}

const NONE: ProfileRead = { snapshot: null, source: 'none' };


/**
 * `deadlineMs` is absolute (epoch ms), fixed when the request arrived, so time already spent
 * counts. The object gets the time left less a slice kept for KV; KV gets whatever is left
 * after the object answered, failed or timed out.
 */
export async function readProfile(sources: SnapshotSources, userHash: string, deadlineMs: number): Promise<ProfileRead> {
  const leftMs = (): number => deadlineMs - Date.now();
  const budgetMs = leftMs();
  if (budgetMs <= 0) return NONE;
  const kvReserveMs = Math.min(10, Math.ceil(budgetMs / 3));
  const objectShareMs = budgetMs - kvReserveMs;
  if (objectShareMs > 0) {
    try {
      const fromDo = await withDeadline(sources.fromObject(userHash), objectShareMs);
      if (fromDo !== TIMED_OUT) return { snapshot: fromDo, source: 'do' };
    } catch {
      // Fall through to KV: an unavailable object must not cost the bid.
    }
  }
  try {
    const raw = await withDeadline(sources.fromKv(userHash), leftMs());
    if (raw === TIMED_OUT || raw === null) return NONE;
    const snapshot = parseSnapshot(raw);
    return snapshot ? { snapshot, source: 'kv' } : NONE;
  } catch {
    return NONE;
  }
}
