/**
 * Holdout lift: did serving the campaign raise the conversion rate? Users are split by the
 * engine's stable holdout draw into exposed (served at least one impression) and holdout (would
 * have been served, never were); each group's conversion rate is converters ÷ users.
 *
 * The lift is the difference of the two rates with Newcombe's hybrid score interval (Newcombe
 * 1998, method 10: built from each rate's Wilson score interval). Unlike the Wald interval it
 * stays inside [-1, 1] and keeps close to its nominal coverage for small groups and rates near
 * 0 — the usual case for conversions. The relative lift (ratio of rates − 1) is given with the
 * Katz log interval when both groups have converters.
 */

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** Wilson score interval of a proportion x/n (n > 0). */
export function wilson(x: number, n: number, z = Z95): Interval {
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return { low: Math.max(0, (centre - spread) / denom), high: Math.min(1, (centre + spread) / denom) };
}

export interface GroupCounts {
  readonly users: number;
  readonly converters: number;
}

export interface GroupRate extends GroupCounts {
  readonly rate: number | null;
}

export interface Lift {
  readonly exposed: GroupRate;
  readonly holdout: GroupRate;
  /** Exposed rate − holdout rate, absolute; null until both groups have users. */
  readonly difference: (Interval & { readonly estimate: number }) | null;
  /** Exposed rate ÷ holdout rate − 1; null until both groups have converters. */
  readonly relative: (Interval & { readonly estimate: number }) | null;
  readonly confidence: 0.95;
  readonly method: 'newcombe-wilson';
}

export function newcombeDifference(exposed: GroupCounts, holdout: GroupCounts, z = Z95): Interval & { estimate: number } {
  const p1 = exposed.converters / exposed.users;
  const p0 = holdout.converters / holdout.users;
  const w1 = wilson(exposed.converters, exposed.users, z);
  const w0 = wilson(holdout.converters, holdout.users, z);
  const estimate = p1 - p0;
  return {
    estimate,
    low: estimate - Math.sqrt((p1 - w1.low) ** 2 + (w0.high - p0) ** 2),
    high: estimate + Math.sqrt((w1.high - p1) ** 2 + (p0 - w0.low) ** 2),
  };
}

function relativeLift(exposed: GroupCounts, holdout: GroupCounts, z = Z95): (Interval & { estimate: number }) | null {
  const { converters: x1, users: n1 } = exposed;
  const { converters: x0, users: n0 } = holdout;
  if (x1 === 0 || x0 === 0) return null;
  const logRatio = Math.log(x1 / n1 / (x0 / n0));
  const se = Math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0);
  return { estimate: Math.exp(logRatio) - 1, low: Math.exp(logRatio - z * se) - 1, high: Math.exp(logRatio + z * se) - 1 };
}

export function lift(exposed: GroupCounts, holdout: GroupCounts): Lift {
  const rate = (g: GroupCounts): GroupRate => ({ ...g, rate: g.users > 0 ? g.converters / g.users : null });
  const both = exposed.users > 0 && holdout.users > 0;
  return {
    exposed: rate(exposed),
    holdout: rate(holdout),
    difference: both ? newcombeDifference(exposed, holdout) : null,
    relative: both ? relativeLift(exposed, holdout) : null,
    confidence: 0.95,
    method: 'newcombe-wilson',
  };
}
