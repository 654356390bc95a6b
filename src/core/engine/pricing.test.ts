import { describe, expect, it } from 'vitest';
import type { LineItem } from '../model';
import { adjustedCpmMicros, floorMicros, microsToPrice } from './pricing';

const item: LineItem = {
  id: 'li',
  campaignId: 'c',
  name: 'n',
  status: 'active',
  targeting: null,
  baseCpmMicros: 2_500_000,
  maxCpmMicros: 5_000_000,
  multipliers: [
    { segment: 'a', multiplier: 1.6 },
    { segment: 'b', multiplier: 1.5 },
  ],
  creativeIds: ['x'],
  priority: 0,
};
const member = { sinceMs: 0, expiresAtMs: 10_000 };
const ctx = (segments: string[]) => ({
  nowMs: 5_000,
  advertiserId: 'adv',
  profile: { version: 1, updatedAtMs: 0, conversions: {}, segments: Object.fromEntries(segments.map((s) => [`${s}@adv`, member])) },
});

describe('adjustedCpmMicros', () => {
  it('applies the multipliers of the segments the user is in, in whole micros', () => {
    expect(adjustedCpmMicros(item, ctx([]))).toBe(2_500_000);
    expect(adjustedCpmMicros(item, ctx(['a']))).toBe(4_000_000);
  });
  it("ignores another advertiser's segments", () => {
    expect(adjustedCpmMicros(item, { ...ctx(['a']), advertiserId: 'other' })).toBe(2_500_000);
  });
  it('clamps to the line item maximum', () => {
    expect(adjustedCpmMicros(item, ctx(['a', 'b']))).toBe(5_000_000);
  });
});

describe('floorMicros', () => {
  it('converts a floor in another currency with the rate table and rounds up', () => {
    expect(floorMicros(1, 'EUR', 'USD', { EUR: 1.08 })).toBe(1_080_000);
    expect(floorMicros(0.0000011, 'USD', 'USD', {})).toBe(2);
  });
  it('is unknown (null) for a currency without a rate, zero for no floor', () => {
    expect(floorMicros(1, 'XYZ', 'USD', {})).toBeNull();
    expect(floorMicros(0, 'XYZ', 'USD', {})).toBe(0);
  });
  it('round-trips prices without float drift at cent precision', () => {
    expect(microsToPrice(4_000_000)).toBe(4);
    expect(microsToPrice(1_230_000)).toBe(1.23);
  });
});
