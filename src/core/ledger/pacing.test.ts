import { describe, expect, it } from 'vitest';
import type { PacingDoc } from './pacing-doc';
import { pacingPlan, type LedgerBudget } from './pacing';
import { simulate } from './pacing-sim.testing';
import { dayWindow, HOUR_MS } from './time';

const DAY0 = Date.UTC(2026, 10, 23);
const doc = (over: Partial<PacingDoc> = {}): PacingDoc => ({
  v: 1,
  campaignId: 'c',
  asOfMs: DAY0 + 12 * HOUR_MS,
  dayStartMs: DAY0,
  spentTodayNanos: 0,
  spentTotalNanos: 0,
  fullRateNanosPerSec: 1e6,
  recentRateNanosPerSec: 0,
  ...over,
});
const LAG = { lagSec: 80 };

describe('pacingPlan', () => {
  it('has no plan limits without a budget figure, and bids freely before any estimate', () => {
    expect(pacingPlan({ pacing: 'asap' }, null, DAY0, LAG)).toMatchObject({ bidProbability: 1, exhausted: false, reason: 'open' });
    expect(pacingPlan({ pacing: 'even', dailyMicros: 1e6 }, null, DAY0, LAG)).toMatchObject({ bidProbability: 1, reason: 'no_estimate' });
  });

  it('stops a campaign whose daily budget is spent, and lets it bid again the next day', () => {
    const budget: LedgerBudget = { pacing: 'asap', dailyMicros: 1_000_000 };
    const spent = doc({ spentTodayNanos: 1_000_000_000, spentTotalNanos: 5e9 });
    expect(pacingPlan(budget, spent, DAY0 + 13 * HOUR_MS, LAG)).toMatchObject({ exhausted: true, bidProbability: 0, reason: 'daily_exhausted' });
    const tomorrow = pacingPlan(budget, spent, DAY0 + 25 * HOUR_MS, LAG);
    expect(tomorrow.exhausted).toBe(false);
    expect(tomorrow.spentTodayNanos).toBe(0);
  });

  it('stops a campaign whose total budget is spent, whatever the day', () => {
    const budget: LedgerBudget = { pacing: 'asap', dailyMicros: 1_000_000, totalMicros: 3_000_000 };
    const plan = pacingPlan(budget, doc({ spentTotalNanos: 3e9 }), DAY0 + 40 * HOUR_MS, LAG);
    expect(plan).toMatchObject({ exhausted: true, reason: 'total_exhausted' });
  });

  it('slows down near the end of the budget so one lag at full rate cannot overrun it', () => {
    // 1e6 nanos/s for an 80 s lag = 8e7 nanos; 2e7 remaining → at most half of it per lag.
    const plan = pacingPlan({ pacing: 'asap', dailyMicros: 1_000_000 }, doc({ spentTodayNanos: 1e9 - 2e7 }), DAY0 + 12 * HOUR_MS, LAG);
    expect(plan.reason).toBe('end_guard');
    expect(plan.bidProbability).toBeCloseTo((0.5 * 2e7) / (1e6 * 80), 10);
  });

  it('even pacing throttles when ahead of the curve and opens when behind', () => {
    const budget: LedgerBudget = { pacing: 'even', dailyMicros: 10_000_000 }; // 1e10 nanos a day
    const noon = DAY0 + 12 * HOUR_MS;
    const ahead = pacingPlan(budget, doc({ asOfMs: noon, spentTodayNanos: 0.6e10, fullRateNanosPerSec: 1e6 }), noon, LAG);
    expect(ahead.reason).toBe('even');
    expect(ahead.bidProbability).toBe(0);
    const behind = pacingPlan(budget, doc({ asOfMs: noon, spentTodayNanos: 0.4e10, fullRateNanosPerSec: 1e6 }), noon, LAG);
    expect(behind).toMatchObject({ bidProbability: 1, reason: 'open' });
    // On the curve with demand 4× the even rate: about a quarter of requests.
    const evenRate = 1e10 / 86_400;
    const onPace = pacingPlan(budget, doc({ asOfMs: noon, spentTodayNanos: 0.5e10, fullRateNanosPerSec: 4 * evenRate }), noon, LAG);
    expect(onPace.bidProbability).toBeCloseTo(0.25, 2);
  });

  it('ignores figures of an earlier day and counts the local day in the campaign time zone', () => {
    const budget: LedgerBudget = { pacing: 'asap', dailyMicros: 1_000_000, timeZone: 'America/New_York' };
    // 03:00 UTC on the 24th is still the 23rd in New York: the figures of the NY day count.
    const nyDay = dayWindow(DAY0 + 27 * HOUR_MS, 'America/New_York');
    expect(nyDay.startMs).toBe(DAY0 + 5 * HOUR_MS);
    const spent = doc({ dayStartMs: nyDay.startMs, spentTodayNanos: 1e9 });
    expect(pacingPlan(budget, spent, DAY0 + 27 * HOUR_MS, LAG).exhausted).toBe(true);
    expect(pacingPlan(budget, spent, DAY0 + 30 * HOUR_MS, LAG).exhausted).toBe(false);
  });
});

describe('a simulated day (time passed in, 80 s from spend to every edge)', () => {
  const price = (rng: () => number) => 1_500_000 + Math.floor(rng() * 1_000_000); // $1.50–2.50 CPM
  const tuning = { lagSec: 80 };

  it.each([{ zone: 'UTC', timeZone: undefined }, { zone: 'America/New_York', timeZone: 'America/New_York' }])(
    'even pacing ($zone) stays within ±10% of the even curve at every hour and ends within the daily budget',
    ({ timeZone }) => {
    const dailyMicros = 500_000_000; // $500 a day; demand would spend about 5.5× that
    const budget: LedgerBudget = { pacing: 'even', dailyMicros, ...(timeZone ? { timeZone } : {}) };
    const day = dayWindow(DAY0 + 12 * HOUR_MS, timeZone);
    const r = simulate({
      budget,
      startMs: day.startMs,
      durationSec: 86_400,
      requestsPerSec: () => 40,
      winRate: 0.4,
      priceCpmMicros: price,
      tuning,
      visibleLagSec: 80,
      seed: 7,
    });
    const daily = dailyMicros * 1000;
    expect(r.spentAtHourNanos).toHaveLength(24);
    r.spentAtHourNanos.forEach((spent, i) => {
      const curve = (daily * (i + 1)) / 24;
      expect(Math.abs(spent - curve) / curve, `hour ${i + 1}`).toBeLessThanOrEqual(0.1);
    });
    expect(r.spentTodayNanos).toBeLessThanOrEqual(daily);
    expect(r.spentTodayNanos).toBeGreaterThan(0.98 * daily);
    },
  );

  it.each([
    { demand: 'steady demand', requestsPerSec: () => 200 },
    { demand: 'demand doubling after the first half hour', requestsPerSec: (t: number) => (t < 1800 ? 200 : 400) },
  ])('ASAP with $demand stops within 1% past the daily budget', ({ requestsPerSec }) => {
    const dailyMicros = 200_000_000; // $200; full demand spends it in about 20 minutes
    const r = simulate({
      budget: { pacing: 'asap', dailyMicros },
      startMs: DAY0,
      durationSec: 3 * 3600,
      requestsPerSec,
      winRate: 0.4,
      priceCpmMicros: price,
      tuning,
      visibleLagSec: 80,
      seed: 11,
    });
    const daily = dailyMicros * 1000;
    expect(r.exhaustedAtSec).not.toBeNull();
    expect(r.spentTodayNanos).toBeGreaterThan(0.99 * daily);
    expect((r.spentTodayNanos - daily) / daily).toBeLessThan(0.01);
  });
});
