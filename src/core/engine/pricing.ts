/**
 * Bid price arithmetic in integer micro-units. Multipliers are floats, so their product is
 * rounded once, at the end, to whole micros; floors are rounded up so we never bid under one.
 */
import type { CompiledAdjustment, CompiledLineItem } from '../catalog/compile';
import type { EvalContext } from './expr';
import { impressionKey, impressionsWithin } from './suppression';

/** The product of the line item's adjustment multipliers for this impression. */
export function adjustmentFactor(li: CompiledLineItem, ctx: EvalContext): number {
  let factor = 1;
  for (const a of li.adjustments) factor *= adjustment(a, li, ctx);
  return factor;
}

function adjustment(a: CompiledAdjustment, li: CompiledLineItem, ctx: EvalContext): number {
  switch (a.kind) {
    case 'when':
      return a.when(ctx) ? a.multiplier : 1;
    case 'recency': {
      const last = ctx.profile?.activity?.[`${a.event}@${li.advertiser.id}`]?.lastMs;
      if (last === undefined) return 1;
      const age = ctx.nowMs - last;
      const window = a.withinSec * 1000;
      if (age < 0 || age >= window) return 1;
      return 1 + (a.multiplier - 1) * (1 - age / window);
    }
    case 'impressionDecay': {
      const n = impressionsWithin(ctx.profile, impressionKey(a.scope, li), a.windowSec, ctx.nowMs);
      return Math.max(a.floor, Math.pow(a.factor, n));
    }
    case 'score': {
      const s = ctx.score(a.model);
      return s === null ? 1 : piecewiseLinear(a.curve, s);
    }
  }
}

/** Interpolates between `[x, y]` points sorted by x; flat beyond the ends. */
export function piecewiseLinear(points: readonly (readonly [number, number])[], x: number): number {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return 1;
  if (x <= first[0]) return first[1];
  if (x >= last[0]) return last[1];
  for (let i = 1; i < points.length; i++) {
    const b = points[i];
    const a = points[i - 1];
    if (a && b && x <= b[0]) return b[0] === a[0] ? b[1] : a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0]);
  }
  return last[1];
}

export type PriceOutcome = { readonly priceMicros: number } | { readonly belowFloor: true };

/**
 * Base × adjustments × pacing, clamped between the floor and the line item's maximum; in a
 * first-price auction shaded to `shading.fraction`, never under the floor. Below-floor only when
 * even the maximum does not reach the floor.
 */
export function priceFor(
  li: CompiledLineItem,
  factor: number,
  pacingMultiplier: number,
  floorMicros: number,
  auctionType: 1 | 2,
): PriceOutcome {
  const { baseCpmMicros, maxCpmMicros, shading } = li.item;
  if (maxCpmMicros <= 0 || maxCpmMicros < floorMicros) return { belowFloor: true };
  let price = Math.min(Math.round(baseCpmMicros * factor * pacingMultiplier), maxCpmMicros);
  if (auctionType === 1 && shading) price = Math.round(price * shading.fraction);
  price = Math.max(price, floorMicros, 1);
  return { priceMicros: price };
}

/**
 * Converts a floor given in `floorCurrency` to micro-units of the catalog currency.
 * Returns `null` when we have no rate for that currency (we then cannot prove we clear the floor).
 */
export function floorMicros(
  floor: number,
  floorCurrency: string,
  catalogCurrency: string,
  rates: Readonly<Record<string, number>>,
): number | null {
  if (floor <= 0) return 0;
  const cur = floorCurrency.toUpperCase();
  const rate = cur === catalogCurrency ? 1 : rates[cur];
  if (rate === undefined || !(rate > 0)) return null;
  return Math.ceil(floor * rate * 1_000_000 - 1e-6);
}

/** Micros to the decimal CPM OpenRTB carries in `price`. */
export function microsToPrice(micros: number): number {
  return micros / 1_000_000;
}
