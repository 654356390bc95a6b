import { describe, expect, it } from 'vitest';
import type { CompiledLineItem } from '../catalog/compile';
import { floorMicros, microsToPrice, piecewiseLinear, priceFor } from './pricing';

function li(base: number, max: number, shading?: number): CompiledLineItem {
  const item = { baseCpmMicros: base, maxCpmMicros: max, ...(shading !== undefined ? { shading: { fraction: shading } } : {}) };
  // Only the price fields are read by priceFor.
  return { item } as unknown as CompiledLineItem;
}

describe('priceFor', () => {
  it('multiplies base by the adjustments and the pacing multiplier, rounding once to whole micros', () => {
    expect(priceFor(li(1_000_000, 5_000_000), 1.6, 1, 0, 2)).toEqual({ priceMicros: 1_600_000 });
    expect(priceFor(li(1_000_000, 5_000_000), 1.6, 0.5, 0, 2)).toEqual({ priceMicros: 800_000 });
    expect(priceFor(li(333_333, 5_000_000), 1 / 3, 1, 0, 2)).toEqual({ priceMicros: 111_111 });
  });
  it('clamps to the maximum and raises to the floor when the maximum allows it', () => {
    expect(priceFor(li(1_000_000, 2_000_000), 3, 1, 0, 2)).toEqual({ priceMicros: 2_000_000 });
    expect(priceFor(li(1_000_000, 3_000_000), 1, 1, 2_500_000, 2)).toEqual({ priceMicros: 2_500_000 });
  });
  it('is below the floor only when even the maximum does not reach it', () => {
    expect(priceFor(li(1_000_000, 3_000_000), 1, 1, 3_000_001, 2)).toEqual({ belowFloor: true });
    expect(priceFor(li(0, 0), 1, 1, 0, 2)).toEqual({ belowFloor: true });
  });
  it('shades first-price bids, never under the floor, and leaves second-price bids alone', () => {
    expect(priceFor(li(2_000_000, 5_000_000, 0.8), 1, 1, 0, 1)).toEqual({ priceMicros: 1_600_000 });
    expect(priceFor(li(2_000_000, 5_000_000, 0.8), 1, 1, 1_700_000, 1)).toEqual({ priceMicros: 1_700_000 });
    expect(priceFor(li(2_000_000, 5_000_000, 0.8), 1, 1, 0, 2)).toEqual({ priceMicros: 2_000_000 });
  });
});

describe('piecewiseLinear', () => {
  const curve = [
    [0.5, 1],
    [0.9, 2],
  ] as const;
  it('is flat beyond the ends and linear between points', () => {
    expect(piecewiseLinear(curve, 0.1)).toBe(1);
    expect(piecewiseLinear(curve, 0.7)).toBeCloseTo(1.5, 12);
    expect(piecewiseLinear(curve, 0.95)).toBe(2);
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
