/**
 * Segment rules as data: the small language campaign managers write real-time segments in, and
 * its schema (rules live in the catalog, a trust boundary). A rule is evaluated per advertiser,
 * over that advertiser's own events only — one advertiser's first-party data never builds
 * another's segment.
 *
 * ```json
 * { "id": "product_explorers", "when": { "all": [
 *     { "count": { "type": "product_view" }, "window": "7d", "op": ">", "value": 3 },
 *     { "none": { "type": "purchase" }, "within": "7d" } ] } }
 * ```
 *
 * Windows are `"<n>h"` (1–168) or `"<n>d"` (1–90). `count`/`sum` are measured in time buckets
 * (see profile/series.ts: hourly up to 7 days, daily beyond); `last`/`none` use exact times.
 */
import { z } from 'zod';
import { DAY_MS, HOUR_MS, HOURLY_HORIZON_MS, RETENTION_MS } from '../profile/retention';

/** Event types rules can count (identify events link ids; they are not behaviour). */
export const RULE_EVENT_TYPES = ['page_view', 'product_view', 'add_to_cart', 'purchase', 'conversion', 'impression'] as const;
export type RuleEventType = (typeof RULE_EVENT_TYPES)[number];

/** Which events a leaf looks at: one type, optionally one product or one category. */
export interface EventFilter {
  readonly type: RuleEventType;
  readonly productId?: string;
  readonly category?: string;
}

export type CompareOp = '>' | '>=' | '<' | '<=' | '=';

/** `"7d"`, `"48h"`. */
export type Duration = string;

export type RuleExpr =
  | { readonly all: readonly RuleExpr[] }
  | { readonly any: readonly RuleExpr[] }
  | { readonly not: RuleExpr }
  /** `count(type, window) op value` */
  | { readonly count: EventFilter; readonly window: Duration; readonly op: CompareOp; readonly value: number }
  /** `sum(type.value, window) op micros` — money in integer micro-units, like the rest of the catalog. */
  | { readonly sum: EventFilter; readonly window: Duration; readonly op: CompareOp; readonly micros: number }
  /** Recency: the last such event is less than `within` old. */
  | { readonly last: EventFilter; readonly within: Duration }
  /** Absence: no such event less than `within` old. */
  | { readonly none: EventFilter; readonly within: Duration }
  /** Absence since: there was a `sinceLast` event, and no such event at or after the last of them. */
  | { readonly none: EventFilter; readonly sinceLast: EventFilter };

export interface SegmentRule {
  /** Segment id as line items target it; the profile keys memberships `<id>@<advertiserId>`. */
  readonly id: string;
  readonly name?: string;
  /** Only this advertiser's events, for this advertiser's segment. Absent: every advertiser, each over its own events. */
  readonly advertiserId?: string;
  readonly when: RuleExpr;
  /**
   * How long a member stays in after the rule stops holding (default 0: out at once). A user who
   * drops below "3 purchases in 90 days" stays a loyal buyer this much longer.
   */
  readonly membershipTtl?: Duration;
  /** Paused: not evaluated, so memberships lapse as they would if the rule stopped holding (absent = active). */
  readonly status?: 'active' | 'paused';
}

const MAX_DEPTH = 8;
const MAX_RULES = 200;

const DURATION = /^([1-9][0-9]{0,2})(h|d)$/;

/** Milliseconds of a duration string, or null when it is not one we accept. */
export function durationMs(d: Duration): number | null {
  const m = DURATION.exec(d);
  if (!m) return null;
  const n = Number(m[1]);
  const ms = n * (m[2] === 'h' ? HOUR_MS : DAY_MS);
  if (m[2] === 'h' && ms > HOURLY_HORIZON_MS) return null;
  return ms <= RETENTION_MS ? ms : null;
}

/** For durations that passed the schema; anything else is a bug, not bad input. */
export function windowMsOf(d: Duration): number {
  const ms = durationMs(d);
  if (ms === null) throw new RangeError('duration was not validated');
  return ms;
}

const duration = z
  .string()
  .refine((d) => durationMs(d) !== null, 'must be "<n>h" (1–168 hours) or "<n>d" (1–90 days)');

const ruleId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1–64 lower-case letters, digits, "_" or "-"');

const eventFilter = z
  .strictObject({
    type: z.enum(RULE_EVENT_TYPES),
    productId: z.string().min(1).max(128).optional(),
    category: z.string().min(1).max(128).optional(),
  })
  .refine((f) => f.productId === undefined || f.category === undefined, 'filter by a product or by a category, not both');

const OPERATORS = ['all', 'any', 'not', 'count', 'sum', 'last', 'none'] as const;
/** Which companion fields each operator takes (`none` takes one of `within` / `sinceLast`). */
const COMPANIONS: Record<(typeof OPERATORS)[number], readonly string[]> = {
  all: [],
  any: [],
  not: [],
  count: ['window', 'op', 'value'],
  sum: ['window', 'op', 'micros'],
  last: ['within'],
  none: ['within', 'sinceLast'],
};

/**
 * One object with every key optional, then checked for exactly one operator and its companions:
 * authors get one precise error at the right path, where a plain union would report why each
 * alternative failed. Nesting is cut off by construction, so a hostile document cannot overflow
 * the stack.
 */
function exprSchema(level: number): z.ZodType<RuleExpr> {
  const inner: z.ZodType<RuleExpr> =
    level >= MAX_DEPTH ? z.never({ error: `rules nest at most ${MAX_DEPTH} deep` }) : z.lazy(() => exprSchema(level + 1));
  return z
    .strictObject({
      all: z.array(inner).min(1).max(16).optional(),
      any: z.array(inner).min(1).max(16).optional(),
      not: inner.optional(),
      count: eventFilter.optional(),
      sum: eventFilter.optional(),
      last: eventFilter.optional(),
      none: eventFilter.optional(),
      window: duration.optional(),
      within: duration.optional(),
      sinceLast: eventFilter.optional(),
      op: z.enum(['>', '>=', '<', '<=', '=']).optional(),
      value: z.number().int().nonnegative().max(1_000_000).optional(),
      micros: z.number().int().nonnegative().max(1e15).optional(),
    })
    .superRefine((o, ctx) => {
      const ops = OPERATORS.filter((k) => o[k] !== undefined);
      const [only] = ops;
      if (ops.length !== 1 || only === undefined) {
        ctx.addIssue({ code: 'custom', message: `a rule expression has exactly one operator (${OPERATORS.join(', ')}); found ${ops.length}` });
        return;
      }
      const allowed = COMPANIONS[only];
      for (const k of Object.keys(o)) {
        if (k !== only && !allowed.includes(k)) ctx.addIssue({ code: 'custom', path: [k], message: `not allowed with "${only}"` });
      }
      const need = only === 'none' ? [] : allowed;
      for (const k of need) if (!(k in o)) ctx.addIssue({ code: 'custom', path: [k], message: `required with "${only}"` });
      if (only === 'none' && (o.within === undefined) === (o.sinceLast === undefined)) {
        ctx.addIssue({ code: 'custom', message: '"none" takes exactly one of "within" or "sinceLast"' });
      }
    })
    .transform((o): RuleExpr => {
      // The refinement above guarantees the shape; this only narrows the type.
      if (o.all) return { all: o.all };
      if (o.any) return { any: o.any };
      if (o.not) return { not: o.not };
      const op = o.op ?? '>';
      const window = o.window ?? '1h';
      if (o.count) return { count: o.count, window, op, value: o.value ?? 0 };
      if (o.sum) return { sum: o.sum, window, op, micros: o.micros ?? 0 };
      if (o.last) return { last: o.last, within: o.within ?? '1h' };
      if (o.none && o.sinceLast) return { none: o.none, sinceLast: o.sinceLast };
      return { none: o.none ?? { type: 'page_view' }, within: o.within ?? '1h' };
    });
}

export const ruleExprSchema: z.ZodType<RuleExpr> = exprSchema(1);

export const segmentRuleSchema = z
  .strictObject({
    id: ruleId,
    name: z.string().min(1).max(256).optional(),
    advertiserId: z.string().min(1).max(128).regex(/^[^@]+$/, 'must not contain "@"').optional(),
    when: ruleExprSchema,
    membershipTtl: duration.optional(),
    status: z.enum(['active', 'paused']).optional(),
  }) satisfies z.ZodType<SegmentRule>;

/** A catalog's rule list: ids unique per advertiser scope (one id may be global or per advertiser, not both twice). */
export const segmentRulesSchema = z
  .array(segmentRuleSchema)
  .max(MAX_RULES)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      const key = `${r.id}@${r.advertiserId ?? '*'}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'duplicate rule id for the same advertiser scope' });
      seen.add(key);
    });
  });
