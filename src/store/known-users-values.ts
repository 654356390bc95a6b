/**
 * The two KV values the known-users directory publishes and the edge reads (keys in
 * profile-kv-keys.ts). Both sides use these schemas, so a value one side cannot read is a
 * compile-time change, and a value written by anything else is refused at the edge.
 *
 * - base (`known-users:base`): the filter's bytes (src/core/identity/known-users-filter.ts); its
 *   KV metadata names the base version and how many hashes it holds.
 * - recent (`known-users:recent`): the hashes added since that base version, and when this list
 *   was published. The edge reads it every refresh and the base only when the version changes.
 */
import { z } from 'zod';

export const KNOWN_USERS_VALUE_VERSION = 1;
/**
 * The directory moves to a new base well before this (about 2,000 entries); a list this long
 * means base writes keep failing, and then the list is not published at all: edges whose copy
 * ages out read the objects again rather than trust a filter that misses ids.
 */
export const MAX_RECENT_HASHES = 20_000;

const hash = z.string().min(1).max(128);

export const baseMetadataSchema = z.object({
  v: z.literal(KNOWN_USERS_VALUE_VERSION),
  version: z.number().int().positive(),
  count: z.number().int().nonnegative(),
});
export type BaseMetadata = z.infer<typeof baseMetadataSchema>;

export const recentSchema = z.object({
  v: z.literal(KNOWN_USERS_VALUE_VERSION),
  baseVersion: z.number().int().positive(),
  hashes: z.array(hash).max(MAX_RECENT_HASHES),
  publishedAtMs: z.number().int().nonnegative(),
});
export type RecentValue = z.infer<typeof recentSchema>;

/** The recent list from its raw KV text, or null when it is missing, not JSON or not ours. */
export function parseRecent(raw: string | null): RecentValue | null {
  if (raw === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = recentSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
