import { describe, expect, it } from 'vitest';
import { lift, newcombeDifference, wilson } from './lift';
import { mulberry32 } from './pacing-sim.testing';

/** Users who convert with probability `rate`, drawn one by one. */
function group(users: number, rate: number, rng: () => number) {
  let converters = 0;
  for (let i = 0; i < users; i++) if (rng() < rate) converters++;
  return { users, converters };
}

describe('wilson', () => {
  it('matches published values', () => {
    // Newcombe (1998), table I: 81/263 → 0.2553–0.3662.
    const w = wilson(81, 263);
    expect(w.low).toBeCloseTo(0.2553, 4);
    expect(w.high).toBeCloseTo(0.3662, 4);
    // 0/10: the interval still has width (Wald would collapse to 0–0).
    expect(wilson(0, 10).high).toBeCloseTo(0.2775, 4);
  });
});

describe('newcombeDifference', () => {
  it("matches Newcombe's worked examples (method 10)", () => {
    // Newcombe (1998), table II: 56/70 − 48/80 → 0.0524 to 0.3339.
    const a = newcombeDifference({ converters: 56, users: 70 }, { converters: 48, users: 80 });
    expect(a.estimate).toBeCloseTo(0.2, 10);
    expect(a.low).toBeCloseTo(0.0524, 4);
    expect(a.high).toBeCloseTo(0.3339, 4);
    // 9/10 − 3/10 → 0.1705 to 0.8090.
    const b = newcombeDifference({ converters: 9, users: 10 }, { converters: 3, users: 10 });
    expect(b.low).toBeCloseTo(0.1705, 4);
    expect(b.high).toBeCloseTo(0.809, 3);
  });
});

describe('lift on a synthetic population', () => {
  it('contains the true effect when exposure raises conversion', () => {
    const rng = mulberry32(42);
    const l = lift(group(20_000, 0.06, rng), group(20_000, 0.04, rng));
    expect(l.difference).not.toBeNull();
    expect(l.difference?.low).toBeLessThanOrEqual(0.02);
    expect(l.difference?.high).toBeGreaterThanOrEqual(0.02);
    expect(l.difference?.low).toBeGreaterThan(0);
    expect(l.relative?.low).toBeLessThanOrEqual(0.5);
    expect(l.relative?.high).toBeGreaterThanOrEqual(0.5);
  });

  it('contains zero when exposure changes nothing', () => {
    const rng = mulberry32(43);
    const l = lift(group(20_000, 0.05, rng), group(2_000, 0.05, rng));
    expect(l.difference?.low).toBeLessThanOrEqual(0);
    expect(l.difference?.high).toBeGreaterThanOrEqual(0);
  });

  it('covers the true difference about 95 % of the time, also for small groups and rare conversions', () => {
    const cases = [
      { n1: 5_000, n0: 500, p1: 0.03, p0: 0.02 },
      { n1: 300, n0: 60, p1: 0.05, p0: 0.05 },
    ];
    for (const c of cases) {
      const rng = mulberry32(1000 + c.n0);
      let covered = 0;
      const runs = 400;
      for (let i = 0; i < runs; i++) {
        const d = lift(group(c.n1, c.p1, rng), group(c.n0, c.p0, rng)).difference;
        if (d && d.low <= c.p1 - c.p0 && c.p1 - c.p0 <= d.high) covered++;
      }
      expect(covered / runs).toBeGreaterThan(0.92);
      expect(covered / runs).toBeLessThan(0.99);
    }
  });

  it('gives no interval until both groups have users', () => {
    const l = lift({ users: 10, converters: 1 }, { users: 0, converters: 0 });
    expect(l.difference).toBeNull();
    expect(l.holdout.rate).toBeNull();
    expect(l.exposed.rate).toBe(0.1);
  });
});
