/**
 * Pacing: from a campaign's budget and the ledger's latest spend figures, the probability with
 * which the campaign may bid on an eligible request, and whether its budget is spent.
 *
 * Throttling (a bid probability), not price: lowering bids to slow spend would buy worse
 * inventory and still not say how much would be won. The price multiplier stays 1.
 *
 * - Even: the day's spend should follow `daily × elapsed fraction of the day` (local day in the
 *   campaign's time zone, else UTC). The plan aims at the curve `catchUpSec` ahead and spreads
 *   what is missing over that time, so an early burst is paid back within minutes, not hours.
 * - ASAP: bid on everything while far from the end of the budget.
 * - Both: the edge acts on figures up to `lagSec` old (the ledger's publish delay, KV
 *   propagation, the edge's refresh). As the remaining budget R nears what can be spent in one
 *   lag, the probability drops so that at most `guardFraction` of R can go in one lag at the full
 *   rate; R then shrinks geometrically instead of being overrun, and the budget counts as spent
 *   (`exhausted`, no bids at all) once R is under `exhaustFraction` of the budget.
 */
import type { Campaign } from '../model';
import type { PacingDoc } from './pacing-doc';
import { dayWindow } from './time';

export interface LedgerBudget {
  readonly dailyMicros?: number;
  readonly totalMicros?: number;
  readonly pacing: 'even' | 'asap';
  /** IANA time zone of the budget day; UTC when absent. */
  readonly timeZone?: string;
}

/** The campaign's budget as pacing reads it; undefined when it has none. */
export function ledgerBudget(campaign: Campaign): LedgerBudget | undefined {
  const b = campaign.budget;
  if (!b || (b.dailyMicros === undefined && b.totalMicros === undefined)) return undefined;
  const { timeZone } = b;
  return {
    pacing: b.pacing,
    ...(b.dailyMicros !== undefined ? { dailyMicros: b.dailyMicros } : {}),
    ...(b.totalMicros !== undefined ? { totalMicros: b.totalMicros } : {}),
    ...(timeZone !== undefined ? { timeZone } : {}),
  };
}

export interface PacingTuning {
  /** Seconds between spend happening and every edge acting on it (the stated propagation bound). */
  readonly lagSec: number;
  /** Even pacing aims at the curve this far ahead. */
  readonly catchUpSec?: number;
  /** At most this fraction of the remaining budget may be spent within one lag. */
  readonly guardFraction?: number;
  /** The budget is spent once less than this fraction of it remains. */
  readonly exhaustFraction?: number;
}

export const DEFAULT_TUNING = { catchUpSec: 900, guardFraction: 0.5, exhaustFraction: 0.001 } as const;

export type PacingReason =
  /** Spending freely: no limit near, or even pacing behind its curve. */
  | 'open'
  /** Even pacing ahead of its curve. */
  | 'even'
  /** Close to the end of a budget: slowing so stale figures cannot overrun it. */
  | 'end_guard'
  /** No estimate of demand yet: bids freely until the ledger has one. */
  | 'no_estimate'
  | 'daily_exhausted'
  | 'total_exhausted';

export interface PacingPlan {
  readonly bidProbability: number;
  readonly exhausted: boolean;
  readonly reason: PacingReason;
  readonly spentTodayNanos: number;
  readonly spentTotalNanos: number;
  /** What is left of the tighter of the two budgets. */
  readonly remainingNanos: number;
}

/**
 * The plan at `nowMs`. `doc` is the ledger's latest figures as this caller knows them; `null`
 * means the ledger has published nothing (nothing spent yet).
 */
export function pacingPlan(budget: LedgerBudget, doc: PacingDoc | null, nowMs: number, tuning: PacingTuning): PacingPlan {
  const { catchUpSec, guardFraction, exhaustFraction } = { ...DEFAULT_TUNING, ...tuning };
  const day = dayWindow(nowMs, budget.timeZone);
  // The figures are `ageSec` old: what was spent meanwhile is estimated from the recent rate.
  const ageSec = doc ? Math.max(0, (nowMs - doc.asOfMs) / 1000) : 0;
  const inTransit = doc ? doc.recentRateNanosPerSec * ageSec : 0;
  // Figures from an earlier day are yesterday's spend; from a later one (clock skew), count them.
  const sameDay = doc !== null && doc.dayStartMs >= day.startMs;
  const spentToday = sameDay ? doc.spentTodayNanos + Math.min(inTransit, Math.max(0, nowMs - day.startMs) / 1000 * doc.recentRateNanosPerSec) : 0;
  const spentTotal = doc ? doc.spentTotalNanos + inTransit : 0;
  const dailyNanos = budget.dailyMicros !== undefined ? budget.dailyMicros * 1000 : undefined;
  const totalNanos = budget.totalMicros !== undefined ? budget.totalMicros * 1000 : undefined;
  const remainingDay = dailyNanos !== undefined ? dailyNanos - spentToday : Infinity;
  const remainingTotal = totalNanos !== undefined ? totalNanos - spentTotal : Infinity;
  const remaining = Math.min(remainingDay, remainingTotal);
  const plan = (bidProbability: number, reason: PacingReason, exhausted = false): PacingPlan => ({
    bidProbability: exhausted ? 0 : Math.min(1, Math.max(0, bidProbability)),
    exhausted,
    reason,
    spentTodayNanos: Math.round(spentToday),
    spentTotalNanos: Math.round(spentTotal),
    remainingNanos: Number.isFinite(remaining) ? Math.max(0, Math.round(remaining)) : 0,
  });
  if (!Number.isFinite(remaining)) return plan(1, 'open');
  if (remainingTotal <= exhaustFraction * (totalNanos ?? 0)) return plan(0, 'total_exhausted', true);
  if (remainingDay <= exhaustFraction * (dailyNanos ?? 0)) return plan(0, 'daily_exhausted', true);

  const rate = doc?.fullRateNanosPerSec ?? null;
  if (rate === null || rate <= 0) return plan(1, 'no_estimate');
  const guard = (guardFraction * remaining) / (rate * tuning.lagSec);
  let p = 1;
  let reason: PacingReason = 'open';
  if (budget.pacing === 'even' && dailyNanos !== undefined) {
    const horizonMs = Math.max(1000, Math.min(catchUpSec * 1000, day.endMs - nowMs));
    const at = nowMs + horizonMs;
    const target = dailyNanos * Math.min(1, (at - day.startMs) / (day.endMs - day.startMs));
    const even = (target - spentToday) / ((rate * horizonMs) / 1000);
    if (even < 1) {
      p = even;
      reason = 'even';
    }
  }
  if (guard < p) {
    p = guard;
    reason = 'end_guard';
  }
  return plan(p, reason);
}
