import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, HOURLY_HORIZON_MS, RETENTION_MS } from './retention';
import { addToSeries, bucketMsFor, emptySeries, mergeSeries, pruneSeries, seriesExpiry, windowExitTimes, windowTotals } from './series';

/** Midnight UTC, so hour and day buckets start here. */
const DAY0 = Date.UTC(2026, 10, 23);
const H = (n: number): number => DAY0 + n * HOUR_MS;

describe('time-bucketed series', () => {
  it('counts each event once per hour and per day, with its value, and keeps the exact last time', () => {
    const s = emptySeries();
    addToSeries(s, H(10) + 5, 1_000_000);
    addToSeries(s, H(10) + 59 * 60_000, 2_000_000);
    addToSeries(s, H(11), 0);
    expect(s.hours).toEqual([
      [Math.floor(H(10) / HOUR_MS), 2, 3_000_000],
      [Math.floor(H(11) / HOUR_MS), 1, 0],
    ]);
    expect(s.days).toEqual([[Math.floor(DAY0 / DAY_MS), 3, 3_000_000]]);
    expect(s.lastMs).toBe(H(11));
  });

  it('rolls over to a new bucket at the exact hour and day boundary', () => {
    const s = emptySeries();
    addToSeries(s, H(24) - 1, 0);
    addToSeries(s, H(24), 0);
    expect(s.hours.map((b) => b[0])).toEqual([Math.floor(H(23) / HOUR_MS), Math.floor(H(24) / HOUR_MS)]);
    expect(s.days.map((b) => b[0])).toEqual([Math.floor(DAY0 / DAY_MS), Math.floor(DAY0 / DAY_MS) + 1]);
  });

  it('keeps buckets in time order when events arrive late, and the last time is the newest', () => {
    const s = emptySeries();
    addToSeries(s, H(30), 0);
    addToSeries(s, H(2), 0);
    addToSeries(s, H(12), 0);
    expect(s.hours.map((b) => b[0])).toEqual([H(2), H(12), H(30)].map((t) => Math.floor(t / HOUR_MS)));
    expect(s.lastMs).toBe(H(30));
  });

  it('counts a bucket until exactly `window` after its start, not a millisecond longer', () => {
    const s = emptySeries();
    addToSeries(s, H(10) + 30 * 60_000, 5);
    const week = 7 * DAY_MS;
    expect(windowTotals(s, week, H(10) + week - 1)).toEqual({ count: 1, valueMicros: 5 });
    expect(windowTotals(s, week, H(10) + week)).toEqual({ count: 0, valueMicros: 0 });
    // A 2-hour window: the bucket of 10:00 counts during 10:00–11:59:59.999.
    expect(windowTotals(s, 2 * HOUR_MS, H(12) - 1).count).toBe(1);
    expect(windowTotals(s, 2 * HOUR_MS, H(12)).count).toBe(0);
  });

  it('uses hourly buckets up to 7 days and daily buckets beyond', () => {
    expect(bucketMsFor(HOURLY_HORIZON_MS)).toBe(HOUR_MS);
    expect(bucketMsFor(HOURLY_HORIZON_MS + DAY_MS)).toBe(DAY_MS);
    const s = emptySeries();
    addToSeries(s, H(20), 7);
    // 8 days: the day bucket (start DAY0) leaves at DAY0 + 8 days, though the event was at 20:00.
    expect(windowTotals(s, 8 * DAY_MS, DAY0 + 8 * DAY_MS - 1).count).toBe(1);
    expect(windowTotals(s, 8 * DAY_MS, DAY0 + 8 * DAY_MS).count).toBe(0);
  });

  it('lists when each bucket leaves a window', () => {
    const s = emptySeries();
    addToSeries(s, H(1), 0);
    addToSeries(s, H(3), 0);
    expect(windowExitTimes(s, DAY_MS, H(0))).toEqual([H(25), H(27)]);
    expect(windowExitTimes(s, DAY_MS, H(25))).toEqual([H(27)]);
    expect(windowExitTimes(s, 30 * DAY_MS, 0)).toEqual([DAY0 + 30 * DAY_MS]);
  });

  it('prunes hourly buckets past the week and daily buckets past the retention', () => {
    const s = emptySeries();
    addToSeries(s, H(0), 0);
    addToSeries(s, H(0) + 10 * DAY_MS, 0);
    expect(pruneSeries(s, H(0) + HOURLY_HORIZON_MS - 1)).toBe(false);
    expect(pruneSeries(s, H(0) + HOURLY_HORIZON_MS)).toBe(true);
    expect(s.hours).toHaveLength(1);
    expect(s.days).toHaveLength(2);
    expect(seriesExpiry(s)).toBe(DAY0 + RETENTION_MS);
    pruneSeries(s, DAY0 + RETENTION_MS);
    expect(s.days).toHaveLength(1);
    expect(seriesExpiry(s)).toBe(DAY0 + 10 * DAY_MS + RETENTION_MS);
  });

  it('merges two series bucket by bucket', () => {
    const a = emptySeries();
    const b = emptySeries();
    addToSeries(a, H(1), 1);
    addToSeries(b, H(1), 2);
    addToSeries(b, H(5), 4);
    mergeSeries(a, b);
    expect(windowTotals(a, DAY_MS, H(6))).toEqual({ count: 3, valueMicros: 7 });
    expect(a.lastMs).toBe(H(5));
    expect(a.hours).toHaveLength(2);
  });
});
