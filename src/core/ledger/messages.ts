/**
 * What reaches the campaign ledgers through the `ledger-events` queue: tracking hits (signed
 * tokens already verified at the edge), the bid path's decisions (bid counts with the pacing
 * probability they were let through with, holdout users) and conversions from the events API.
 * Every kind is idempotent at the ledger: hits by (response id, imp id, kind), decisions by a
 * message id, conversions by event id — the queue delivers at least once.
 * A queue body is a trust boundary like any other: the consumer parses it with these schemas.
 */
import { z } from 'zod';
import type { ProfileEvent } from '../model';

const id = z.string().min(1).max(256);
const ms = z.number().int().nonnegative();

export const hitSchema = z.object({
  t: z.literal('hit'),
  k: z.enum(['win', 'bill', 'imp', 'click']),
  /** Response id and imp id of the bid: the placement. */
  b: id,
  i: id,
  li: id,
  cr: id,
  cmp: id,
  adv: id,
  /** CPM in micros this hit charges if it is the placement's billable notice (see notice.ts). */
  cpm: z.number().int().nonnegative(),
  /** Hashed user (impressions of users we may profile): exposure for lift. */
  u: id.optional(),
  /** The token's expiry: the ledger need not remember the placement after it. */
  exp: ms,
  ts: ms,
});

const bidRowSchema = z.object({
  cmp: id,
  li: id,
  cr: id,
  n: z.number().int().positive(),
  /** Σ 1/p over these bids, p being the pacing probability each was let through with. */
  w: z.number().positive(),
});

const holdoutRowSchema = z.object({ cmp: id, li: id, u: id });

export const decisionsSchema = z.object({
  t: z.literal('decisions'),
  /** Random per message: a redelivered message is applied once. */
  id,
  ts: ms,
  bids: z.array(bidRowSchema).max(1000),
  holdouts: z.array(holdoutRowSchema).max(1000),
});

export const conversionSchema = z.object({
  t: z.literal('conversion'),
  /** The event's own id (idempotent, as in the profile pipeline). */
  id,
  type: z.enum(['purchase', 'conversion']),
  adv: id,
  u: id,
  ts: ms,
});

export const ledgerMessageSchema = z.discriminatedUnion('t', [hitSchema, decisionsSchema, conversionSchema]);

export type HitMessage = z.infer<typeof hitSchema>;
export type DecisionsMessage = z.infer<typeof decisionsSchema>;
export type BidRow = z.infer<typeof bidRowSchema>;
export type HoldoutRow = z.infer<typeof holdoutRowSchema>;
export type ConversionMessage = z.infer<typeof conversionSchema>;
export type LedgerMessage = z.infer<typeof ledgerMessageSchema>;

/** The conversion messages of an accepted event batch (purchases and conversions of an advertiser). */
export function conversionMessages(events: readonly ProfileEvent[]): ConversionMessage[] {
  const out: ConversionMessage[] = [];
  for (const e of events) {
    if ((e.type === 'purchase' || e.type === 'conversion') && e.advertiserId !== undefined) {
      out.push({ t: 'conversion', id: e.id, type: e.type, adv: e.advertiserId, u: e.userHash, ts: e.tsMs });
    }
  }
  return out;
}

/** One campaign's share of a queue batch, as the consumer hands it to that campaign's ledger. */
export interface LedgerBatch {
  readonly hits: readonly HitMessage[];
  readonly decisions: readonly { readonly id: string; readonly ts: number; readonly bids: readonly BidRow[]; readonly holdouts: readonly HoldoutRow[] }[];
  readonly conversions: readonly ConversionMessage[];
}
