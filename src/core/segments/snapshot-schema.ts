/**
 * Schema of the profile snapshot as written to KV. The hot path reads KV as a fallback, and
 * KV is a trust boundary like any other: what does not parse is treated as no profile.
 */
import { z } from 'zod';
import type { ProfileSnapshot } from '../model';
import { RETENTION_MS } from './realtime';

/** KV snapshots live as long as the events they summarise. */
export const SNAPSHOT_TTL_SEC = RETENTION_MS / 1000;

const membership = z.object({ sinceMs: z.number(), expiresAtMs: z.number() });

export const snapshotSchema = z.object({
  version: z.number().int().nonnegative(),
  updatedAtMs: z.number(),
  segments: z.record(z.string(), membership),
  conversions: z.record(z.string(), z.number()),
}) satisfies z.ZodType<ProfileSnapshot>;

export function parseSnapshot(input: unknown): ProfileSnapshot | null {
  const r = snapshotSchema.safeParse(input);
  return r.success ? r.data : null;
}
