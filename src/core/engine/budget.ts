/**
 * How long the hot path may spend reading the profile: what is left of the caller's `tmax`
 * after the network reserve, never more than our ceiling. Without `tmax` the ceiling applies.
 */
export function profileBudgetMs(tmaxMs: number | undefined, reserveMs: number, ceilingMs: number): number {
  if (tmaxMs === undefined || tmaxMs <= 0) return ceilingMs;
  return Math.max(0, Math.min(tmaxMs - reserveMs, ceilingMs));
}
