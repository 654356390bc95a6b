/**
 * The golden case format (see README.md beside it): the zod schema every case file must pass,
 * relative times (`now-2d`) resolved against the case's clock, and the deep merge that turns a
 * case's request patch into a full OpenRTB request. Cases are hand-written data, so they are
 * validated like any other input: a typo in a case fails loudly instead of testing nothing.
 */
import { z } from 'zod';
import { NO_BID_REASONS, type NoBidReason } from '../../src/core/engine/no-bid';
import type { PacingState } from '../../src/core/engine/request-context';
import type { ProfileSnapshot } from '../../src/core/model';

/** The clock of every case that does not set `nowMs`: Friday 2027-01-15 08:00:00 UTC. */
export const DEFAULT_NOW_MS = Date.parse('2027-01-15T08:00:00Z');

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const RELATIVE = /^now(?:([+-])(\d+(?:\.\d+)?)([smhd]))?$/;

/** An epoch-ms number, or `now`, `now-6h`, `now+10d` (units s, m, h, d) relative to the case's clock. */
const time = z.union([z.number().int(), z.string().regex(RELATIVE, 'a number of epoch ms or now[+-]<n><s|m|h|d>')]);
type Time = z.infer<typeof time>;

export function resolveTime(t: Time, nowMs: number): number {
  if (typeof t === 'number') return t;
  const m = RELATIVE.exec(t);
  if (!m) throw new Error(`not a time: ${t}`);
  const [, sign, amount, unit] = m;
  if (sign === undefined || amount === undefined || unit === undefined) return nowMs;
  const delta = Math.round(Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]);
  return sign === '-' ? nowMs - delta : nowMs + delta;
}

const membership = z.strictObject({ sinceMs: time, expiresAtMs: time });
/** `daily` entries name their day by any instant in it: `["now-1d", 2]` = two events yesterday. */
const activity = z.strictObject({ lastMs: time, daily: z.array(z.tuple([time, z.number().int().nonnegative()])).default([]) });
const dynamicData = z.strictObject({
  cartProductId: z.string().optional(),
  cartProductName: z.string().optional(),
  topCategory: z.string().optional(),
});

const profileSchema = z.strictObject({
  version: z.number().int().nonnegative().default(1),
  updatedAtMs: time.default('now'),
  optedOut: z.boolean().optional(),
  segments: z.record(z.string(), membership).default({}),
  conversions: z.record(z.string(), time).default({}),
  impressions: z.record(z.string(), z.array(time)).optional(),
  activity: z.record(z.string(), activity).optional(),
  dynamic: z.record(z.string(), dynamicData).optional(),
});
type RawProfile = z.infer<typeof profileSchema>;

const DAY_MS = 86_400_000;

function mapValues<T, U>(record: Readonly<Record<string, T>>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

export function resolveProfile(p: RawProfile, nowMs: number): ProfileSnapshot {
  const at = (t: Time): number => resolveTime(t, nowMs);
  return {
    version: p.version,
    updatedAtMs: at(p.updatedAtMs),
    ...(p.optedOut !== undefined ? { optedOut: p.optedOut } : {}),
    segments: mapValues(p.segments, (m) => ({ sinceMs: at(m.sinceMs), expiresAtMs: at(m.expiresAtMs) })),
    conversions: mapValues(p.conversions, at),
    // The snapshot keeps impression times ascending; cases may list them in any order.
    ...(p.impressions ? { impressions: mapValues(p.impressions, (ts) => ts.map(at).sort((a, b) => a - b)) } : {}),
    ...(p.activity
      ? {
          activity: mapValues(p.activity, (a) => ({
            lastMs: at(a.lastMs),
            daily: a.daily.map(([day, n]) => [Math.floor(at(day) / DAY_MS), n] as const).sort((x, y) => x[0] - y[0]),
          })),
        }
      : {}),
    ...(p.dynamic ? { dynamic: p.dynamic } : {}),
  };
}

const REASONS = Object.keys(NO_BID_REASONS) as [NoBidReason, ...NoBidReason[]];
const TRACE_OUTCOMES = [...REASONS, 'candidate'] as const;
const micros = z.number().int().nonnegative();

const expectedBid = z.strictObject({
  lineItemId: z.string(),
  creativeId: z.string(),
  media: z.enum(['banner', 'video', 'native']),
  priceMicros: micros,
  /** Absent = the bid must not be a deal bid. */
  dealId: z.string().optional(),
});

const explainOutcome = z.union([
  z.enum(TRACE_OUTCOMES),
  z.strictObject({ outcome: z.enum(TRACE_OUTCOMES), priceMicros: micros.optional(), dealId: z.string().optional() }),
]);
export type ExplainExpectation = z.infer<typeof explainOutcome>;

const impExpectation = z
  .strictObject({
    bid: expectedBid.optional(),
    noBid: z.enum(REASONS).optional(),
    /** Absent = no held-out record. */
    heldOut: z.strictObject({ lineItemId: z.string(), campaignId: z.string(), priceMicros: micros }).optional(),
    /** Trace outcomes of named line items (the explain run). */
    explain: z.record(z.string(), explainOutcome).optional(),
    admContains: z.array(z.string().min(1)).optional(),
    admExcludes: z.array(z.string().min(1)).optional(),
  })
  .refine((e) => (e.bid === undefined) !== (e.noBid === undefined), 'exactly one of bid, noBid')
  .refine((e) => e.bid !== undefined || (e.admContains === undefined && e.admExcludes === undefined), 'adm checks need a bid');
export type ImpExpectation = z.infer<typeof impExpectation>;

const pacing = z.strictObject({ multiplier: z.number().positive().default(1), exhausted: z.boolean().default(false) }) satisfies z.ZodType<PacingState>;

export const caseSchema = z.strictObject({
  name: z.string().min(1),
  /** The hand computation behind the expectation: rules applied and arithmetic. */
  why: z.string().min(1),
  /** The catalog line items this case runs against; every other line item is left out. */
  lineItems: z.array(z.string()).min(1),
  /** Deep-merged over base-request.json: objects merge, arrays and scalars replace, `null` deletes. */
  request: z.record(z.string(), z.unknown()).default({}),
  profile: profileSchema.nullable().default(null),
  userHash: z.string().min(1).nullable().default(null),
  /** What the consent gate allows: metro and postal code reach the engine only when true. */
  preciseGeo: z.boolean().default(true),
  /** Spend state per campaign id; absent campaigns are on pace and not exhausted. */
  pacing: z.record(z.string(), pacing).default({}),
  nowMs: z.union([z.number().int(), z.iso.datetime({ offset: true })]).optional(),
  /** Per imp id: every imp of the request must be listed. */
  expect: z.record(z.string(), impExpectation),
});
export type GoldenCase = z.infer<typeof caseSchema>;

export const caseFileSchema = z.array(caseSchema).min(1);

export function caseNowMs(c: GoldenCase): number {
  if (c.nowMs === undefined) return DEFAULT_NOW_MS;
  return typeof c.nowMs === 'number' ? c.nowMs : Date.parse(c.nowMs);
}

type Json = unknown;

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `patch` over `base`: objects merge key by key, arrays and scalars replace, `null` removes the key. */
export function deepMerge(base: Json, patch: Json): Json {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(base)) if (!(k in patch)) out[k] = v;
  for (const [k, v] of Object.entries(patch)) if (v !== null) out[k] = deepMerge(base[k], v);
  return out;
}
