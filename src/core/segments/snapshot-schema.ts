/**
 * Schema of the profile snapshot as written to KV. The hot path reads KV as a fallback, and
 * KV is a trust boundary like any other: what does not parse is treated as no profile.
 */
import { z } from 'zod';
import { MAX_IMPRESSIONS_PER_SCOPE, type ProfileSnapshot } from '../model';
import { RETENTION_MS } from '../profile/retention';

/** KV snapshots live as long as the longest window of the data they summarise. */
export const SNAPSHOT_TTL_SEC = RETENTION_MS / 1000;

const ms = z.number();
const membership = z.object({ sinceMs: ms, expiresAtMs: ms });
const dayCount = z.tuple([z.number().int(), z.number().int().nonnegative()]).readonly();

export const snapshotSchema = z.object({
  version: z.number().int().nonnegative(),
  updatedAtMs: ms,
  optedOut: z.boolean().optional(),
  segments: z.record(z.string(), membership),
  conversions: z.record(z.string(), ms),
  impressions: z.record(z.string(), z.array(ms).max(MAX_IMPRESSIONS_PER_SCOPE)).optional(),
  activity: z.record(z.string(), z.object({ lastMs: ms, daily: z.array(dayCount).max(RETENTION_MS / 86_400_000 + 1) })).optional(),
  dynamic: z
    .record(
      z.string(),
      z.object({ cartProductId: z.string().optional(), cartProductName: z.string().optional(), topCategory: z.string().optional() }),
    )
    .optional(),
}) satisfies z.ZodType<ProfileSnapshot>;

export function parseSnapshot(input: unknown): ProfileSnapshot | null {
  const r = snapshotSchema.safeParse(input);
  return r.success ? r.data : null;
}
