/**
 * Reports over a campaign ledger's hourly counters: the query (time range, granularity,
 * format), validated with every problem reported, and the report body built from counter rows.
 * Ranges are whole UTC hours — the counters' resolution — so `from` is rounded down and `to` up,
 * and the body says which range it covers.
 */
import { z } from 'zod';
import type { FieldIssue } from '../errors';
import { fieldIssues } from '../zod-issues';
import { addCounters, metrics, zeroCounters, type Counters, type Metrics } from './counters';
import type { Lift } from './lift';
import type { PacingPlan, LedgerBudget } from './pacing';
import { HOUR_MS, DAY_MS } from './time';

export const MAX_RANGE_DAYS = 92;
export const DEFAULT_RANGE_DAYS = 7;

const instant = z.union([
  z.string().regex(/^\d{1,15}$/, 'epoch milliseconds').transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  z.iso.date().transform((s) => Date.parse(`${s}T00:00:00Z`)),
]);

const querySchema = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
    granularity: z.enum(['total', 'hour']).default('total'),
    format: z.enum(['json', 'csv']).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
  });

export interface ReportQuery {
  readonly fromMs: number;
  readonly toMs: number;
  readonly granularity: 'total' | 'hour';
  readonly format: 'json' | 'csv';
}

/** `query` is the request's query parameters; `accept` its Accept header (`text/csv` asks for CSV). */
export function parseReportQuery(
  query: Readonly<Record<string, string | undefined>>,
  accept: string | undefined,
  nowMs: number,
): { ok: true; value: ReportQuery } | { ok: false; issues: FieldIssue[] } {
  const parsed = querySchema.safeParse(query);
  if (!parsed.success) return { ok: false, issues: fieldIssues(parsed.error) };
  const q = parsed.data;
  const toMs = Math.ceil((q.to ?? nowMs) / HOUR_MS) * HOUR_MS;
  const fromMs = Math.floor((q.from ?? toMs - DEFAULT_RANGE_DAYS * DAY_MS) / HOUR_MS) * HOUR_MS;
  if (fromMs >= toMs) return { ok: false, issues: [{ path: 'from', message: 'must be before to' }] };
  if (toMs - fromMs > MAX_RANGE_DAYS * DAY_MS) return { ok: false, issues: [{ path: 'from', message: `the range may span at most ${MAX_RANGE_DAYS} days` }] };
  const format = q.format ?? (accept !== undefined && /\btext\/csv\b/i.test(accept) ? 'csv' : 'json');
  return { ok: true, value: { fromMs, toMs, granularity: q.granularity, format } };
}

/** One hour of one dimension's counters (`hour` = hours since the epoch, UTC). */
export interface HourRow {
  readonly hour: number;
  readonly counters: Counters;
}

export type ReportKind = 'campaign' | 'lineItem' | 'creative';

export interface PacingSummary {
  readonly budget: LedgerBudget;
  readonly spentTodayMicros: number;
  readonly spentTotalMicros: number;
  readonly bidProbability: number;
  readonly exhausted: boolean;
  readonly reason: PacingPlan['reason'];
}

export interface ReportBody {
  readonly kind: ReportKind;
  readonly id: string;
  readonly currency: string;
  readonly from: string;
  readonly to: string;
  readonly totals: Metrics;
  readonly hours?: readonly (Metrics & { readonly hour: string })[];
  readonly lift?: Lift;
  readonly pacing?: PacingSummary;
}

export interface ReportParts {
  readonly kind: ReportKind;
  readonly id: string;
  readonly currency: string;
  readonly query: ReportQuery;
  /** Rows of every ledger that holds this dimension (a creative may serve several campaigns). */
  readonly rows: readonly HourRow[];
  readonly lift?: Lift;
  readonly pacing?: PacingSummary;
}

export function buildReport(p: ReportParts): ReportBody {
  const byHour = new Map<number, Counters>();
  const total = zeroCounters();
  for (const r of p.rows) {
    addCounters(total, r.counters);
    if (p.query.granularity === 'hour') byHour.set(r.hour, addCounters(byHour.get(r.hour) ?? zeroCounters(), r.counters));
  }
  const hours =
    p.query.granularity === 'hour'
      ? [...byHour.entries()].sort(([a], [b]) => a - b).map(([hour, c]) => ({ hour: new Date(hour * HOUR_MS).toISOString(), ...metrics(c) }))
      : undefined;
  return {
    kind: p.kind,
    id: p.id,
    currency: p.currency,
    from: new Date(p.query.fromMs).toISOString(),
    to: new Date(p.query.toMs).toISOString(),
    totals: metrics(total),
    ...(hours ? { hours } : {}),
    ...(p.lift ? { lift: p.lift } : {}),
    ...(p.pacing ? { pacing: p.pacing } : {}),
  };
}
