/**
 * Evaluates segment rules over a profile's counters, and works out when each answer changes by
 * time alone. With no new events a count can only fall as buckets leave its window, and a
 * recency can only lapse, so every leaf changes value only at known instants (a bucket's exit
 * from a window, the last event's `within` running out). The memberships published carry the
 * exact instant they end, and the profile wakes at the next instant something could start.
 */
import type { SegmentMembership } from '../model';
import { getSeries, subKey, type ProfileState } from '../profile/profile-state';
import { RETENTION_MS } from '../profile/retention';
import { windowExitTimes, windowTotals, type Series } from '../profile/series';
import type { CompareOp, EventFilter, RuleExpr, SegmentRule } from './rule-schema';
import { windowMsOf } from './rule-schema';
import { segmentKey } from './segment-key';

/** The counters of one advertiser, by filter. */
export type SeriesOf = (filter: EventFilter) => Series | undefined;

export function seriesOf(state: ProfileState, advertiserId: string): SeriesOf {
  return (f) => getSeries(state, { advertiserId, sub: subKey(f.type, f) });
}

/** The truth of `expr` at `atMs` (any time not before the newest event). */
export function evalExpr(expr: RuleExpr, series: SeriesOf, atMs: number): boolean {
  if ('all' in expr) return expr.all.every((e) => evalExpr(e, series, atMs));
  if ('any' in expr) return expr.any.some((e) => evalExpr(e, series, atMs));
  if ('not' in expr) return !evalExpr(expr.not, series, atMs);
  if ('count' in expr) {
    const s = series(expr.count);
    return compare(s ? windowTotals(s, windowMsOf(expr.window), atMs).count : 0, expr.op, expr.value);
  }
  if ('sum' in expr) {
    const s = series(expr.sum);
    return compare(s ? windowTotals(s, windowMsOf(expr.window), atMs).valueMicros : 0, expr.op, expr.micros);
  }
  if ('last' in expr) return within(series(expr.last), windowMsOf(expr.within), atMs);
  if ('within' in expr) return !within(series(expr.none), windowMsOf(expr.within), atMs);
  const since = series(expr.sinceLast)?.lastMs;
  const last = series(expr.none)?.lastMs ?? -Infinity;
  return since !== undefined && Number.isFinite(since) && last < since;
}

/** Instants after `afterMs` at which some leaf of `expr` may change value (unsorted, may repeat). */
export function changeTimes(expr: RuleExpr, series: SeriesOf, afterMs: number, out: number[] = []): number[] {
  if ('all' in expr || 'any' in expr) {
    for (const e of 'all' in expr ? expr.all : expr.any) changeTimes(e, series, afterMs, out);
  } else if ('not' in expr) {
    changeTimes(expr.not, series, afterMs, out);
  } else if ('count' in expr || 'sum' in expr) {
    const s = series('count' in expr ? expr.count : expr.sum);
    if (s) out.push(...windowExitTimes(s, windowMsOf(expr.window), afterMs));
  } else if ('last' in expr || 'within' in expr) {
    const s = series('last' in expr ? expr.last : expr.none);
    const exit = s ? s.lastMs + windowMsOf(expr.within) : -Infinity;
    if (exit > afterMs) out.push(exit);
  }
  // `none … sinceLast` does not change by time alone.
  return out;
}

/**
 * The first instant after `nowMs` at which `expr` is no longer `current`, or Infinity when it
 * keeps its value for as long as the counters it reads exist.
 */
export function nextFlip(expr: RuleExpr, series: SeriesOf, nowMs: number, current: boolean): number {
  const times = [...new Set(changeTimes(expr, series, nowMs))].sort((a, b) => a - b);
  for (const t of times) if (evalExpr(expr, series, t) !== current) return t;
  return Infinity;
}

export interface MembershipResult {
  readonly memberships: Record<string, SegmentMembership>;
  /** When re-evaluating could change a membership by time alone (Infinity: never). */
  readonly nextChangeMs: number;
}

/**
 * Memberships at `nowMs`, from the rules and the memberships last published (`previous`): a
 * member keeps its `sinceMs`; one whose rule stopped holding stays in for the rule's TTL.
 * A rule holding with no end in sight (e.g. only absences) is published for the retention and
 * re-evaluated then.
 */
export function evaluateMemberships(
  state: ProfileState,
  rules: readonly SegmentRule[],
  previous: Readonly<Record<string, SegmentMembership>>,
  nowMs: number,
): MembershipResult {
  const memberships: Record<string, SegmentMembership> = {};
  let nextChangeMs = Infinity;
  const advertisers = [...state.series.keys()].filter((a) => a !== '');
  // An advertiser's own rule replaces a global rule of the same id for that advertiser.
  const overridden = new Set(rules.filter((r) => r.advertiserId !== undefined).map((r) => segmentKey(r.id, r.advertiserId ?? '')));
  for (const rule of rules) {
    const ttlMs = rule.membershipTtl === undefined ? 0 : windowMsOf(rule.membershipTtl);
    const targets = rule.advertiserId === undefined ? advertisers : advertisers.filter((a) => a === rule.advertiserId);
    for (const advertiserId of targets) {
      const key = segmentKey(rule.id, advertiserId);
      if (rule.advertiserId === undefined && overridden.has(key)) continue;
      const series = seriesOf(state, advertiserId);
      const holds = evalExpr(rule.when, series, nowMs);
      const flip = nextFlip(rule.when, series, nowMs, holds);
      const prev = previous[key];
      const active = prev !== undefined && prev.expiresAtMs > nowMs ? prev : undefined;
      if (holds) {
        const end = Math.min(flip, nowMs + RETENTION_MS);
        memberships[key] = { sinceMs: active?.sinceMs ?? nowMs, expiresAtMs: end + ttlMs };
        nextChangeMs = Math.min(nextChangeMs, end);
      } else {
        if (active && ttlMs > 0) memberships[key] = { sinceMs: active.sinceMs, expiresAtMs: Math.min(active.expiresAtMs, nowMs + ttlMs) };
        nextChangeMs = Math.min(nextChangeMs, flip);
      }
    }
  }
  return { memberships, nextChangeMs };
}

function within(s: Series | undefined, windowMs: number, atMs: number): boolean {
  return s !== undefined && s.lastMs > atMs - windowMs && s.lastMs <= atMs;
}

function compare(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
  }
}
