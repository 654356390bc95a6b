/**
 * The profile state as stored (and as handed from one profile to another in a merge): counters
 * as one row each, the rest as one small document. Storage written by an older deploy is read
 * through these schemas: what does not parse is refused (the profile stops taking events until
 * someone looks), never silently replaced by an empty profile.
 */
import { z } from 'zod';
import type { ProfileState, SeriesRef } from './profile-state';
import type { Bucket, Series } from './series';

const bucket = z.tuple([z.number().int(), z.number().int().nonnegative(), z.number().nonnegative()]);
const bucketList = z.array(bucket);

export const profileDocSchema = z.object({
  memberships: z.record(z.string(), z.object({ sinceMs: z.number(), expiresAtMs: z.number() })),
  impressions: z.record(z.string(), z.array(z.number())),
  carts: z.record(z.string(), z.object({ productId: z.string(), productName: z.string().optional(), tsMs: z.number() })),
});
export type ProfileDoc = z.infer<typeof profileDocSchema>;

export interface SeriesRow extends SeriesRef {
  readonly lastMs: number;
  /** JSON of the hourly / daily bucket lists. */
  readonly hours: string;
  readonly days: string;
}

export function docOf(state: ProfileState): ProfileDoc {
  return {
    memberships: { ...state.memberships },
    impressions: Object.fromEntries(state.impressions),
    carts: Object.fromEntries(state.carts),
  };
}

export function rowOf(ref: SeriesRef, s: Series): SeriesRow {
  return { ...ref, lastMs: s.lastMs, hours: JSON.stringify(s.hours), days: JSON.stringify(s.days) };
}

export class UnreadableProfileError extends Error {
  override readonly name = 'UnreadableProfileError';
}

/** Rebuilds the state; throws UnreadableProfileError (log-safe: names no values) on anything malformed. */
export function stateFrom(doc: unknown, rows: readonly SeriesRow[]): ProfileState {
  const parsed = doc === undefined ? { memberships: {}, impressions: {}, carts: {} } : profileDocSchema.safeParse(doc).data;
  if (!parsed) throw new UnreadableProfileError('stored profile document fails its schema');
  const series = new Map<string, Map<string, Series>>();
  for (const row of rows) {
    const s: Series = { lastMs: row.lastMs, hours: parseBuckets(row.hours), days: parseBuckets(row.days) };
    let own = series.get(row.advertiserId);
    if (!own) series.set(row.advertiserId, (own = new Map<string, Series>()));
    own.set(row.sub, s);
  }
  return {
    series,
    memberships: parsed.memberships,
    impressions: new Map(Object.entries(parsed.impressions)),
    carts: new Map(Object.entries(parsed.carts).map(([k, c]) => [k, c.productName === undefined ? { productId: c.productId, tsMs: c.tsMs } : c])),
  };
}

function parseBuckets(json: string): Bucket[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new UnreadableProfileError('stored counter is not JSON');
  }
  const r = bucketList.safeParse(raw);
  if (!r.success) throw new UnreadableProfileError('stored counter fails its schema');
  return r.data;
}

/** Everything one profile hands to another when two ids turn out to be one person. */
export interface ExportedProfile {
  readonly doc: ProfileDoc;
  readonly rows: readonly SeriesRow[];
  /** Event ids already applied, with their event times, so redeliveries stay idempotent after the merge. */
  readonly seen: readonly { readonly id: string; readonly tsMs: number }[];
  /** Ids that already pointed at the exporting profile. */
  readonly aliases: readonly string[];
  readonly optedOut: boolean;
}

export function exportRows(state: ProfileState): SeriesRow[] {
  const rows: SeriesRow[] = [];
  for (const [advertiserId, own] of state.series) for (const [sub, s] of own) rows.push(rowOf({ advertiserId, sub }, s));
  return rows;
}
