/**
 * What the profile pipeline keeps in the `PROFILE_SNAPSHOTS` namespace, besides each canonical
 * profile's snapshot under its bare hash (hashes are base64url, so the prefixes cannot collide):
 * - `alias:<hash>` → the canonical hash a linked id was merged into (the edge's alias lookup);
 * - `erased:<hash>` → `{ "atMs": … }`, the one fact kept after an erase, so later events for that
 *   id are not profiled again until the person consents again (`POST /v1/users/:key/opt-in`).
 */
export const aliasKey = (hash: string): string => `alias:${hash}`;
export const erasedKey = (hash: string): string => `erased:${hash}`;

/** Hashes are base64url HMAC-SHA256 (43 characters); anything else read back from KV is ignored. */
export function isProfileHash(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(value);
}
