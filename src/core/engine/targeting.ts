/**
 * Evaluates a targeting expression against what we may use about the user.
 * Without behavioural consent no segment is visible, so segment leaves are false.
 */
import type { ProfileSnapshot, TargetingExpr } from '../model';

export interface TargetingContext {
  readonly profile: ProfileSnapshot | null;
  readonly nowMs: number;
}

export function inSegment(ctx: TargetingContext, segment: string): boolean {
  const m = ctx.profile?.segments[segment];
  return m !== undefined && m.sinceMs <= ctx.nowMs && ctx.nowMs < m.expiresAtMs;
}

export function matches(expr: TargetingExpr | null, ctx: TargetingContext): boolean {
  if (expr === null) return true;
  if ('all' in expr) return expr.all.every((e) => matches(e, ctx));
  if ('any' in expr) return expr.any.some((e) => matches(e, ctx));
  if ('not' in expr) return !matches(expr.not, ctx);
  return inSegment(ctx, expr.segment);
}
