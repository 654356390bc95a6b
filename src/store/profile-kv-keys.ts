/**
 * What the profile pipeline keeps in the `PROFILE_SNAPSHOTS` namespace, besides each canonical
 * profile's snapshot under its bare hash (hashes are base64url, so the prefixes cannot collide):
 * - `alias:<hash>` → the canonical hash a linked id was merged into (the edge's alias lookup);
 * - `erased:<hash>` → `{ "atMs": … }`, the one fact kept after an erase, so later events for that
 *   id are not profiled again until the person consents again (`POST /v1/users/:key/opt-in`);
 * - `known-users:base` (the known-users filter's bytes, its version in KV metadata) and
 *   `known-users:recent` (JSON: the hashes added since that base), written by the `KnownUsers`
 *   directory object (src/objects/known-users.ts) and read by the edge (src/store/known-users.ts).
 */
export const aliasKey = (hash: string): string => `alias:${hash}`;
export const erasedKey = (hash: string): string => `erased:${hash}`;
export const KNOWN_USERS_BASE_KEY = 'known-users:base';
export const KNOWN_USERS_RECENT_KEY = 'known-users:recent';

/** Hashes are base64url HMAC-SHA256 (43 characters); anything else read back from KV is ignored. */
export function isProfileHash(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(value);
}
