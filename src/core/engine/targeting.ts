/**
 * Evaluates a targeting expression against what we may use about the user. A segment leaf names
 * a segment of the line item's own advertiser (segments are per advertiser, see
 * segments/realtime.ts). Without behavioural consent there is no profile, so segment leaves are
 * false.
 */
import type { ProfileSnapshot, TargetingExpr } from '../model';
import { segmentKey } from '../segments/realtime';

export interface TargetingContext {
  readonly profile: ProfileSnapshot | null;
  readonly nowMs: number;
  /** The advertiser whose segments the line item may use. */
  readonly advertiserId: string;
}

export function inSegment(ctx: TargetingContext, segment: string): boolean {
  const m = ctx.profile?.segments[segmentKey(segment, ctx.advertiserId)];
  return m !== undefined && m.sinceMs <= ctx.nowMs && ctx.nowMs < m.expiresAtMs;
}

export function matches(expr: TargetingExpr | null, ctx: TargetingContext): boolean {
  if (expr === null) return true;
  if ('all' in expr) return expr.all.every((e) => matches(e, ctx));
  if ('any' in expr) return expr.any.some((e) => matches(e, ctx));
  if ('not' in expr) return !matches(expr.not, ctx);
  return inSegment(ctx, expr.segment);
}
