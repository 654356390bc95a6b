/**
 * Bid price arithmetic in integer micro-units. Multipliers are floats, so the product is
 * rounded once, at the end, to whole micros; floors are rounded up so we never bid under one.
 */
import type { LineItem } from '../model';
import { inSegment, type TargetingContext } from './targeting';

export function adjustedCpmMicros(item: LineItem, ctx: TargetingContext): number {
  let factor = 1;
  for (const m of item.multipliers) {
    if (inSegment(ctx, m.segment)) factor *= m.multiplier;
  }
  return Math.min(Math.round(item.baseCpmMicros * factor), item.maxCpmMicros);
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
