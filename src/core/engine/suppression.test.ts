import { describe, expect, it } from 'vitest';
import { impressionsWithin, inHoldout, stableBucket, stableUnit } from './suppression';

describe('inHoldout', () => {
  it('puts about the configured share of users in the control group, stably', () => {
    let held = 0;
    for (let i = 0; i < 20_000; i++) if (inHoldout(`user-${i}`, 'cmp-1', 10)) held++;
    expect(held / 20_000).toBeGreaterThan(0.09);
    expect(held / 20_000).toBeLessThan(0.11);
    expect(inHoldout('user-7', 'cmp-1', 10)).toBe(inHoldout('user-7', 'cmp-1', 10));
  });
  it('draws independent groups per campaign', () => {
    let both = 0;
    let first = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = inHoldout(`user-${i}`, 'cmp-a', 50);
      if (a) first++;
      if (a && inHoldout(`user-${i}`, 'cmp-b', 50)) both++;
    }
    expect(both / first).toBeGreaterThan(0.45);
    expect(both / first).toBeLessThan(0.55);
  });
  it('never holds out users without an id, or at 0 %', () => {
    expect(inHoldout(null, 'cmp-1', 50)).toBe(false);
    expect(inHoldout('user-1', 'cmp-1', 0)).toBe(false);
  });
});

describe('stable hashing', () => {
  it('is deterministic and in range', () => {
    expect(stableBucket('abc', 100)).toBe(stableBucket('abc', 100));
    const u = stableUnit('user', 'li');
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
  });
});

describe('impressionsWithin', () => {
  const profile = { version: 1, updatedAtMs: 0, segments: {}, conversions: {}, impressions: { 'li:x': [100, 5_000, 9_000, 10_000] } };
  it('counts impressions inside the rolling window (start exclusive)', () => {
    expect(impressionsWithin(profile, 'li:x', 5, 10_000)).toBe(2);
    expect(impressionsWithin(profile, 'li:x', 9, 10_000)).toBe(3);
    expect(impressionsWithin(profile, 'li:x', 10, 10_000)).toBe(4);
    expect(impressionsWithin(profile, 'li:y', 10, 10_000)).toBe(0);
    expect(impressionsWithin(null, 'li:x', 10, 10_000)).toBe(0);
  });
});
