import { describe, expect, it } from 'vitest';
import { EMPTY_WINDOW, fullRate, observe, recentRate, WINDOW_SEC } from './rate-window';

const T0 = Date.UTC(2026, 10, 23, 12);

describe('rate window', () => {
  it('knows nothing before any bid', () => {
    expect(fullRate(EMPTY_WINDOW, T0)).toBeNull();
    expect(recentRate(EMPTY_WINDOW, T0)).toBe(0);
  });

  it('scales observed spend by the throttling the bids went through (Σ 1/p)', () => {
    let w = EMPTY_WINDOW;
    // 100 s at p = 0.25: 10 bids/s observed (40 eligible), 1000 nanos/s observed spend.
    for (let s = 0; s < 100; s++) w = observe(w, T0 + s * 1000, { spendNanos: 1000, bids: 10, weightedBids: 40 });
    expect(fullRate(w, T0 + 100_000)).toBeCloseTo(4000, -1);
    expect(recentRate(w, T0 + 100_000)).toBeCloseTo(1000, -1);
  });

  it('forgets slots older than the window but keeps the last estimate when bids stop', () => {
    let w = EMPTY_WINDOW;
    for (let s = 0; s < 60; s++) w = observe(w, T0 + s * 1000, { spendNanos: 500, bids: 5, weightedBids: 5 });
    expect(fullRate(w, T0 + 60_000)).toBeCloseTo(500, 6);
    const later = T0 + (60 + WINDOW_SEC + 60) * 1000;
    w = observe(w, later, { spendNanos: 0 });
    expect(w.slots.length).toBe(1);
    // The estimate made at the last bid (over 59 s of data), within a couple of percent.
    expect(Math.abs((fullRate(w, later) ?? 0) - 500) / 500).toBeLessThan(0.02);
    expect(recentRate(w, later)).toBe(0);
  });
});
