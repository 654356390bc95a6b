/**
 * The unthrottled spend rate of a campaign: what it would spend per second if it bid on every
 * request it is eligible for. Pacing needs that figure to choose a bid probability, but the
 * ledger only sees what the edges let through. Each bid therefore arrives with the probability
 * `p` it was let through with, and Σ 1/p over the bids estimates how many bids there would have
 * been without throttling (Horvitz–Thompson); spend scales by the same factor. Measured over a
 * sliding window of a few minutes in 10-second slots, by the ledger's clock.
 */

export const SLOT_SEC = 10;
export const WINDOW_SEC = 300;

export interface RateSlot {
  readonly startSec: number;
  readonly spendNanos: number;
  readonly bids: number;
  /** Σ 1/p over the slot's bids. */
  readonly weightedBids: number;
}

export interface RateWindow {
  readonly slots: readonly RateSlot[];
  /** When the window first saw anything (a young campaign's rate is over its age, not the window). */
  readonly firstSec: number | null;
  /** The last estimate made from real data: kept while the window has none (e.g. the budget is spent). */
  readonly lastRateNanosPerSec: number | null;
}

export const EMPTY_WINDOW: RateWindow = { slots: [], firstSec: null, lastRateNanosPerSec: null };

export interface RateSample {
  readonly spendNanos?: number;
  readonly bids?: number;
  readonly weightedBids?: number;
}

/** The window with `sample` added at `nowMs`, slots older than the window dropped. */
export function observe(w: RateWindow, nowMs: number, sample: RateSample): RateWindow {
  const nowSec = Math.floor(nowMs / 1000);
  const slotStart = nowSec - (nowSec % SLOT_SEC);
  const slots = w.slots.filter((s) => s.startSec > nowSec - WINDOW_SEC - SLOT_SEC);
  const last = slots[slots.length - 1];
  const add = (s: RateSlot): RateSlot => ({
    startSec: s.startSec,
    spendNanos: s.spendNanos + (sample.spendNanos ?? 0),
    bids: s.bids + (sample.bids ?? 0),
    weightedBids: s.weightedBids + (sample.weightedBids ?? 0),
  });
  if (last && last.startSec === slotStart) slots[slots.length - 1] = add(last);
  else slots.push(add({ startSec: slotStart, spendNanos: 0, bids: 0, weightedBids: 0 }));
  const next: RateWindow = { slots, firstSec: w.firstSec ?? nowSec, lastRateNanosPerSec: w.lastRateNanosPerSec };
  return { ...next, lastRateNanosPerSec: measuredRate(next, nowMs) ?? w.lastRateNanosPerSec };
}

/** The estimate: measured from the window when it holds bids, else the last one measured. */
export function fullRate(w: RateWindow, nowMs: number): number | null {
  return measuredRate(w, nowMs) ?? w.lastRateNanosPerSec;
}

/** Spend per second actually observed over the last `RECENT_SEC` (throttled, as it happened). */
export const RECENT_SEC = 30;

export function recentRate(w: RateWindow, nowMs: number): number {
  if (w.firstSec === null) return 0;
  const nowSec = nowMs / 1000;
  const from = firstSlotAfter(nowSec - RECENT_SEC);
  let spend = 0;
  for (const s of w.slots) if (s.startSec >= from) spend += s.spendNanos;
  return spend / spanSec(w.firstSec, from, nowSec);
}

/** Start of the oldest slot that still ends after `sec`: the window covers whole slots. */
function firstSlotAfter(sec: number): number {
  return Math.floor((sec - SLOT_SEC) / SLOT_SEC) * SLOT_SEC + SLOT_SEC;
}

function spanSec(firstSec: number, from: number, nowSec: number): number {
  return Math.max(SLOT_SEC, nowSec - Math.max(from, firstSec));
}

function measuredRate(w: RateWindow, nowMs: number): number | null {
  if (w.firstSec === null) return null;
  const nowSec = nowMs / 1000;
  const from = firstSlotAfter(nowSec - WINDOW_SEC);
  let spend = 0;
  let bids = 0;
  let weighted = 0;
  for (const s of w.slots) {
    if (s.startSec < from) continue;
    spend += s.spendNanos;
    bids += s.bids;
    weighted += s.weightedBids;
  }
  // Without bids there is no way to tell how much was throttled away: no estimate.
  if (bids === 0) return null;
  return (spend * Math.max(1, weighted / bids)) / spanSec(w.firstSec, from, nowSec);
}
