/**
 * The hot path's alias lookup: which profile a (hashed) user key belongs to once ids have been
 * linked. KV holds `alias:<hash>` → canonical hash, written by the merged-away profile when a
 * merge completes; this module caches answers per isolate so the common case costs nothing.
 *
 * Cost per request: an isolate-cache hit is a Map lookup; a miss is one KV read (edge-cached by
 * KV for `cacheTtl`, misses included), bounded by the caller's deadline. No Durable Object call.
 * A stale answer is still safe: a merged-away object forwards `getSnapshot()` to its canonical
 * profile (one hop inside the object), and an erased one answers nothing.
 */
import { aliasKey, isProfileHash } from './profile-kv-keys';
import { TIMED_OUT, withDeadline } from './deadline';

/** How long an isolate trusts an answer; also KV's edge cache TTL (its minimum is 60 s). */
export const ALIAS_CACHE_TTL_MS = 60_000;
/** Entries per isolate (a few MB at most); the oldest go first. */
export const ALIAS_CACHE_MAX = 50_000;

/** The slice of KV used here (`Env['PROFILE_SNAPSHOTS']` satisfies it). */
export interface AliasKv {
  get(key: string, options: { cacheTtl: number }): Promise<string | null>;
}

const cache = new Map<string, { canonical: string; expiresAtMs: number }>();

/**
 * The canonical profile hash for `userHash` (itself when it was never merged away). On a KV
 * failure or timeout the key itself is used and nothing is cached: the object forwards anyway.
 */
export async function resolveCanonical(kv: AliasKv, userHash: string, deadlineMs: number, nowMs = Date.now()): Promise<string> {
  const hit = cache.get(userHash);
  if (hit && hit.expiresAtMs > nowMs) return hit.canonical;
  const leftMs = deadlineMs - nowMs;
  if (leftMs <= 0) return userHash;
  let raw: string | null | typeof TIMED_OUT;
  try {
    raw = await withDeadline(kv.get(aliasKey(userHash), { cacheTtl: ALIAS_CACHE_TTL_MS / 1000 }), leftMs);
  } catch {
    return userHash;
  }
  if (raw === TIMED_OUT) return userHash;
  const canonical = isProfileHash(raw) ? raw : userHash;
  if (cache.size >= ALIAS_CACHE_MAX) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(userHash, { canonical, expiresAtMs: nowMs + ALIAS_CACHE_TTL_MS });
  return canonical;
}

/** For tests: forget every cached answer. */
export function clearAliasCache(): void {
  cache.clear();
}
