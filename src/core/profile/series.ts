/**
 * One event counter over time: a count and a value sum per hour (last week) and per day
 * (90 days), plus the exact time of the newest event. Memory is bounded by the horizons, not by
 * the number of events: a user who views a thousand products an hour still has at most
 * 168 hourly and 90 daily buckets per counter.
 *
 * Windows are measured in whole buckets: an event counts until `window` after the START of its
 * bucket, so within a window it may drop out up to one bucket early (an hour for windows up to
 * 7 days, a day beyond). This keeps every answer exact with respect to the buckets, gives
 * membership expiries an exact time, and errs on the side of forgetting.
 */
import { DAY_MS, HOUR_MS, HOURLY_HORIZON_MS, RETENTION_MS } from './retention';

/** `[bucket index, count, value sum in micros]`; index = floor(epochMs / bucket size). */
export type Bucket = [index: number, count: number, valueMicros: number];

export interface Series {
  /** Time of the newest event counted (exact). */
  lastMs: number;
  /** Ascending by index. */
  hours: Bucket[];
  /** Ascending by index. */
  days: Bucket[];
}

export function emptySeries(): Series {
  return { lastMs: -Infinity, hours: [], days: [] };
}

/** Counts one event at `tsMs` (already within the retention and not in the future). */
export function addToSeries(s: Series, tsMs: number, valueMicros: number): void {
  s.lastMs = Math.max(s.lastMs, tsMs);
  bump(s.days, Math.floor(tsMs / DAY_MS), valueMicros);
  bump(s.hours, Math.floor(tsMs / HOUR_MS), valueMicros);
}

/** Adds every bucket of `from` into `into` (merging two profiles of one person). */
export function mergeSeries(into: Series, from: Series): void {
  into.lastMs = Math.max(into.lastMs, from.lastMs);
  for (const [i, n, v] of from.days) bump(into.days, i, v, n);
  for (const [i, n, v] of from.hours) bump(into.hours, i, v, n);
}

/**
 * Drops buckets no window can reach any more. Returns true when something was dropped.
 * An hourly bucket is useless once `start + HOURLY_HORIZON <= now`, a daily one at `start + RETENTION`.
 */
export function pruneSeries(s: Series, nowMs: number): boolean {
  const h = dropBefore(s.hours, (i) => i * HOUR_MS + HOURLY_HORIZON_MS > nowMs);
  const d = dropBefore(s.days, (i) => i * DAY_MS + RETENTION_MS > nowMs);
  return h || d;
}

export function isEmptySeries(s: Series): boolean {
  return s.days.length === 0;
}

/** Windows up to the hourly horizon use hourly buckets; longer ones daily buckets. */
export function bucketMsFor(windowMs: number): number {
  return windowMs <= HOURLY_HORIZON_MS ? HOUR_MS : DAY_MS;
}

/** Count and value sum of the buckets inside the window ending at `atMs`. */
export function windowTotals(s: Series, windowMs: number, atMs: number): { count: number; valueMicros: number } {
  const size = bucketMsFor(windowMs);
  const buckets = size === HOUR_MS ? s.hours : s.days;
  let count = 0;
  let valueMicros = 0;
  for (let k = buckets.length - 1; k >= 0; k--) {
    const b = buckets[k];
    if (b === undefined) continue;
    const start = b[0] * size;
    if (start > atMs) continue;
    if (start + windowMs <= atMs) break;
    count += b[1];
    valueMicros += b[2];
  }
  return { count, valueMicros };
}

/** The times after `afterMs` at which a bucket of `s` leaves a window of `windowMs` (ascending). */
export function windowExitTimes(s: Series, windowMs: number, afterMs: number): number[] {
  const size = bucketMsFor(windowMs);
  const buckets = size === HOUR_MS ? s.hours : s.days;
  const out: number[] = [];
  for (const [i] of buckets) {
    const exit = i * size + windowMs;
    if (exit > afterMs) out.push(exit);
  }
  return out;
}

/** When the oldest daily bucket lapses (Infinity for an empty series): the next change by time alone. */
export function seriesExpiry(s: Series): number {
  const oldest = s.days[0];
  return oldest === undefined ? Infinity : oldest[0] * DAY_MS + RETENTION_MS;
}

function bump(buckets: Bucket[], index: number, valueMicros: number, count = 1): void {
  // Events mostly arrive in time order: look from the end.
  let k = buckets.length - 1;
  while (k >= 0 && (buckets[k]?.[0] ?? -Infinity) > index) k--;
  const at = buckets[k];
  if (at !== undefined && at[0] === index) {
    at[1] += count;
    at[2] += valueMicros;
  } else {
    buckets.splice(k + 1, 0, [index, count, valueMicros]);
  }
}

/** Removes the leading buckets for which `keep` is false; true when any went. */
function dropBefore(buckets: Bucket[], keep: (index: number) => boolean): boolean {
  let n = 0;
  while (n < buckets.length && !keep(buckets[n]?.[0] ?? Infinity)) n++;
  if (n > 0) buckets.splice(0, n);
  return n > 0;
}
