/**
 * A pacing simulator for tests: requests at a given rate, the edge deciding from the figures the
 * ledger published `visibleLagSec` ago, bids won at random prices, the ledger counting spend and
 * estimating demand exactly as the Durable Object does (same pure functions). Deterministic for
 * a seed. One tick per second; every request is drawn individually.
 */
import type { PacingDoc } from './pacing-doc';
import { pacingPlan, type LedgerBudget, type PacingTuning } from './pacing';
import { EMPTY_WINDOW, fullRate, observe, recentRate } from './rate-window';
import { dayWindow, HOUR_MS } from './time';

export interface SimOptions {
  readonly budget: LedgerBudget;
  readonly startMs: number;
  readonly durationSec: number;
  /** Eligible requests per second at second `t` of the run. */
  readonly requestsPerSec: (t: number) => number;
  readonly winRate: number;
  /** Clearing CPM in micros, drawn per win. */
  readonly priceCpmMicros: (rng: () => number) => number;
  readonly tuning: PacingTuning;
  /** How old the figures an edge acts on really are (the tuning's `lagSec` is what pacing assumes). */
  readonly visibleLagSec: number;
  readonly publishEverySec?: number;
  readonly seed: number;
}

export interface SimResult {
  /** Spend of the budget day so far at the end of each whole hour of the run, in nanos. */
  readonly spentAtHourNanos: readonly number[];
  readonly spentTodayNanos: number;
  readonly spentTotalNanos: number;
  readonly bids: number;
  /** The second of the run in which the plan first said exhausted, if it did. */
  readonly exhaustedAtSec: number | null;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function simulate(o: SimOptions): SimResult {
  const rng = mulberry32(o.seed);
  const publishEvery = o.publishEverySec ?? 2;
  const published: PacingDoc[] = [];
  let window = EMPTY_WINDOW;
  let dayStart = dayWindow(o.startMs, o.budget.timeZone).startMs;
  let spentToday = 0;
  let spentTotal = 0;
  let bids = 0;
  let carry = 0;
  let exhaustedAtSec: number | null = null;
  const spentAtHour: number[] = [];
  let visible: PacingDoc | null = null;
  let nextVisible = 0;
  for (let t = 0; t < o.durationSec; t++) {
    const nowMs = o.startMs + t * 1000;
    while (nextVisible < published.length && (published[nextVisible]?.asOfMs ?? Infinity) <= nowMs - o.visibleLagSec * 1000) {
      visible = published[nextVisible] ?? visible;
      nextVisible++;
    }
    const plan = pacingPlan(o.budget, visible, nowMs, o.tuning);
    if (plan.exhausted && exhaustedAtSec === null) exhaustedAtSec = t;
    carry += o.requestsPerSec(t);
    const requests = Math.floor(carry);
    carry -= requests;
    let tickSpend = 0;
    let tickBids = 0;
    let tickWeighted = 0;
    for (let r = 0; r < requests; r++) {
      if (plan.exhausted || rng() >= plan.bidProbability) continue;
      tickBids++;
      tickWeighted += 1 / plan.bidProbability;
      if (rng() < o.winRate) tickSpend += o.priceCpmMicros(rng);
    }
    bids += tickBids;
    const day = dayWindow(nowMs, o.budget.timeZone);
    if (day.startMs !== dayStart) {
      dayStart = day.startMs;
      spentToday = 0;
    }
    spentToday += tickSpend;
    spentTotal += tickSpend;
    window = observe(window, nowMs, { spendNanos: tickSpend, bids: tickBids, weightedBids: tickWeighted });
    if (t % publishEvery === 0) {
      published.push({
        v: 1,
        campaignId: 'sim',
        asOfMs: nowMs,
        dayStartMs: dayStart,
        spentTodayNanos: spentToday,
        spentTotalNanos: spentTotal,
        fullRateNanosPerSec: fullRate(window, nowMs),
        recentRateNanosPerSec: recentRate(window, nowMs),
      });
    }
    if ((t + 1) % (HOUR_MS / 1000) === 0) spentAtHour.push(spentToday);
  }
  return { spentAtHourNanos: spentAtHour, spentTodayNanos: spentToday, spentTotalNanos: spentTotal, bids, exhaustedAtSec };
}
