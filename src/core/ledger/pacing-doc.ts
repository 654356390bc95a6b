/**
 * The compact pacing document a campaign ledger publishes to KV (`pacing:<campaignId>`) and
 * every edge caches: the spend figures the bid path paces against. It carries figures, not a
 * decision, so an edge evaluates it against the catalog's current budget and its own clock —
 * a raised budget or a new day takes effect without waiting for the ledger to publish again.
 * KV is a trust boundary: what does not parse is treated as unknown.
 */
import { z } from 'zod';

export const pacingKey = (campaignId: string): string => `pacing:${campaignId}`;

const nanos = z.number().int().nonnegative();

export const pacingDocSchema = z.object({
  v: z.literal(1),
  campaignId: z.string().min(1),
  /** When the ledger computed these figures. */
  asOfMs: z.number().int(),
  /** Start of the budget day `spentTodayNanos` belongs to. */
  dayStartMs: z.number().int(),
  spentTodayNanos: nanos,
  spentTotalNanos: nanos,
  /** Estimated spend per second if the campaign bid on everything it is eligible for; null = unknown. */
  fullRateNanosPerSec: z.number().nonnegative().nullable(),
  /** Spend per second actually seen over the last half minute: how far the figures fall behind while they travel. */
  recentRateNanosPerSec: z.number().nonnegative(),
});

export type PacingDoc = z.infer<typeof pacingDocSchema>;

export function parsePacingDoc(raw: unknown): PacingDoc | null {
  const parsed = pacingDocSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
