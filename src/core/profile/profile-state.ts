/**
 * What a profile keeps about one person, as aggregates with bounded memory: event counters in
 * time buckets per advertiser (and per product and category), recent impression times per
 * frequency-cap scope, each advertiser's last cart add, and the segment memberships last
 * published (kept because a membership TTL outlives the rule that created it).
 *
 * Functions here mutate the state they are given (the Durable Object applies a thousand events
 * in one call) and report what they touched, so the object writes only changed rows.
 */
import { MAX_IMPRESSIONS_PER_SCOPE, type ProfileEvent, type SegmentMembership } from '../model';
import { RETENTION_MS } from './retention';
import { addToSeries, emptySeries, isEmptySeries, mergeSeries, pruneSeries, seriesExpiry, type Series } from './series';

/** What a profile keeps of an event (the user is implied by the object holding it). */
export type HistoryEvent = Omit<ProfileEvent, 'userHash'>;

export interface CartItem {
  readonly productId: string;
  readonly productName?: string;
  readonly tsMs: number;
}

/**
 * A counter's place: advertiser ('' for events without one), then `type`, `type|p|<productId>` or
 * `type|c|<category>`. Types never contain `|`, so the first two separators are unambiguous.
 */
export interface SeriesRef {
  readonly advertiserId: string;
  readonly sub: string;
}

export interface ProfileState {
  /** advertiserId → sub key → counter. */
  readonly series: Map<string, Map<string, Series>>;
  /** Keyed `<ruleId>@<advertiserId>`; what was last published, for membership TTLs. */
  memberships: Record<string, SegmentMembership>;
  /** `li:` / `cmp:` / `adv:` scope → ascending impression times. */
  readonly impressions: Map<string, number[]>;
  /** advertiserId → the newest cart add that named a product. */
  readonly carts: Map<string, CartItem>;
}

/** Bounds per profile; beyond them the least recently active entries go first. */
export const LIMITS = {
  /** purchase/conversion counters per advertiser: what suppression reads, kept apart so views cannot evict them. */
  conversionSeries: 64,
  /** Other per-type counters (one per advertiser and event type). */
  typeSeries: 128,
  /** Per-product and per-category counters. */
  dimensionSeries: 256,
  impressionScopes: 256,
  carts: 64,
} as const;

export function emptyState(): ProfileState {
  return { series: new Map(), memberships: {}, impressions: new Map(), carts: new Map() };
}

export function subKey(type: string, dim?: { productId?: string | undefined; category?: string | undefined }): string {
  if (dim?.productId !== undefined) return `${type}|p|${dim.productId}`;
  if (dim?.category !== undefined) return `${type}|c|${dim.category}`;
  return type;
}

export function getSeries(state: ProfileState, ref: SeriesRef): Series | undefined {
  return state.series.get(ref.advertiserId)?.get(ref.sub);
}

export interface Touched {
  /** Counters to write (or delete, when gone from the state). */
  readonly series: Map<string, SeriesRef>;
  /** Impressions, carts or memberships changed. */
  doc: boolean;
}

export function newTouched(): Touched {
  return { series: new Map(), doc: false };
}

const refId = (ref: SeriesRef): string => JSON.stringify([ref.advertiserId, ref.sub]);

/**
 * Counts one behavioural event. `tsMs` must already be checked against the retention and the
 * clock-skew allowance; an event stamped slightly in the future counts as `nowMs`.
 */
export function applyEvent(state: ProfileState, e: HistoryEvent, nowMs: number, touched: Touched): void {
  if (e.type === 'identify') return;
  const tsMs = Math.min(e.tsMs, nowMs);
  const advertiserId = e.advertiserId ?? '';
  const value = e.valueMicros ?? 0;
  const subs = [subKey(e.type)];
  if (e.productId !== undefined) subs.push(subKey(e.type, { productId: e.productId }));
  if (e.category !== undefined) subs.push(subKey(e.type, { category: e.category }));
  let own = state.series.get(advertiserId);
  if (!own) state.series.set(advertiserId, (own = new Map<string, Series>()));
  for (const sub of subs) {
    let s = own.get(sub);
    if (!s) own.set(sub, (s = emptySeries()));
    addToSeries(s, tsMs, value);
    const ref = { advertiserId, sub };
    touched.series.set(refId(ref), ref);
  }
  if (e.type === 'impression') {
    for (const scope of impressionScopes(e)) insertImpression(state, scope, tsMs);
    touched.doc = true;
  }
  if (e.type === 'add_to_cart' && e.productId !== undefined && e.advertiserId !== undefined) {
    const prev = state.carts.get(e.advertiserId);
    if (!prev || prev.tsMs <= tsMs) {
      state.carts.set(e.advertiserId, { productId: e.productId, ...(e.productName !== undefined ? { productName: e.productName } : {}), tsMs });
      touched.doc = true;
    }
  }
}

function impressionScopes(e: HistoryEvent): string[] {
  const out: string[] = [];
  if (e.lineItemId !== undefined) out.push(`li:${e.lineItemId}`);
  if (e.campaignId !== undefined) out.push(`cmp:${e.campaignId}`);
  if (e.advertiserId !== undefined) out.push(`adv:${e.advertiserId}`);
  return out;
}

function insertImpression(state: ProfileState, scope: string, tsMs: number): void {
  let times = state.impressions.get(scope);
  if (!times) state.impressions.set(scope, (times = []));
  let k = times.length;
  while (k > 0 && (times[k - 1] ?? -Infinity) > tsMs) k--;
  times.splice(k, 0, tsMs);
  // Only the newest matter for caps; a cap above this many is a catalog error.
  if (times.length > MAX_IMPRESSIONS_PER_SCOPE) times.splice(0, times.length - MAX_IMPRESSIONS_PER_SCOPE);
}

/** Drops whatever left the retention, then enforces the size bounds. */
export function pruneState(state: ProfileState, nowMs: number, touched: Touched): void {
  const horizon = nowMs - RETENTION_MS;
  for (const [advertiserId, own] of state.series) {
    for (const [sub, s] of own) {
      if (!pruneSeries(s, nowMs)) continue;
      const ref = { advertiserId, sub };
      touched.series.set(refId(ref), ref);
      if (isEmptySeries(s)) own.delete(sub);
    }
    if (own.size === 0) state.series.delete(advertiserId);
  }
  for (const [scope, times] of state.impressions) {
    const keep = times.filter((t) => t > horizon);
    if (keep.length === times.length) continue;
    touched.doc = true;
    if (keep.length === 0) state.impressions.delete(scope);
    else state.impressions.set(scope, keep);
  }
  for (const [advertiserId, cart] of state.carts) {
    if (cart.tsMs > horizon) continue;
    state.carts.delete(advertiserId);
    touched.doc = true;
  }
  const running = Object.entries(state.memberships).filter(([, m]) => m.expiresAtMs > nowMs);
  if (running.length < Object.keys(state.memberships).length) {
    state.memberships = Object.fromEntries(running);
    touched.doc = true;
  }
  enforceLimits(state, touched);
}

function enforceLimits(state: ProfileState, touched: Touched): void {
  const classes: Record<'conversionSeries' | 'typeSeries' | 'dimensionSeries', { ref: SeriesRef; lastMs: number }[]> = {
    conversionSeries: [],
    typeSeries: [],
    dimensionSeries: [],
  };
  for (const [advertiserId, own] of state.series) {
    for (const [sub, s] of own) {
      const cls = sub.includes('|') ? 'dimensionSeries' : sub === 'purchase' || sub === 'conversion' ? 'conversionSeries' : 'typeSeries';
      classes[cls].push({ ref: { advertiserId, sub }, lastMs: s.lastMs });
    }
  }
  for (const [cls, entries] of Object.entries(classes) as [keyof typeof classes, (typeof classes)[keyof typeof classes]][]) {
    const over = entries.length - LIMITS[cls];
    if (over <= 0) continue;
    entries.sort((a, b) => a.lastMs - b.lastMs);
    for (const { ref } of entries.slice(0, over)) {
      const own = state.series.get(ref.advertiserId);
      own?.delete(ref.sub);
      if (own?.size === 0) state.series.delete(ref.advertiserId);
      touched.series.set(refId(ref), ref);
    }
  }
  evictOldest(state.impressions, LIMITS.impressionScopes, (times) => times[times.length - 1] ?? -Infinity, touched);
  evictOldest(state.carts, LIMITS.carts, (c) => c.tsMs, touched);
}

function evictOldest<V>(map: Map<string, V>, limit: number, newestMs: (v: V) => number, touched: Touched): void {
  const over = map.size - limit;
  if (over <= 0) return;
  const byAge = [...map].sort((a, b) => newestMs(a[1]) - newestMs(b[1]));
  for (const [k] of byAge.slice(0, over)) map.delete(k);
  touched.doc = true;
}

/** Adds everything `from` knows into `into` (two profiles found to be one person). */
export function mergeState(into: ProfileState, from: ProfileState, touched: Touched): void {
  for (const [advertiserId, own] of from.series) {
    let target = into.series.get(advertiserId);
    if (!target) into.series.set(advertiserId, (target = new Map<string, Series>()));
    for (const [sub, s] of own) {
      const existing = target.get(sub);
      if (existing) mergeSeries(existing, s);
      else target.set(sub, { lastMs: s.lastMs, hours: s.hours.map((b) => [...b]), days: s.days.map((b) => [...b]) });
      const ref = { advertiserId, sub };
      touched.series.set(refId(ref), ref);
    }
  }
  for (const [scope, times] of from.impressions) for (const t of times) insertImpression(into, scope, t);
  for (const [advertiserId, cart] of from.carts) {
    const prev = into.carts.get(advertiserId);
    if (!prev || prev.tsMs < cart.tsMs) into.carts.set(advertiserId, cart);
  }
  for (const [key, m] of Object.entries(from.memberships)) {
    const prev = into.memberships[key];
    into.memberships[key] = prev
      ? { sinceMs: Math.min(prev.sinceMs, m.sinceMs), expiresAtMs: Math.max(prev.expiresAtMs, m.expiresAtMs) }
      : m;
  }
  touched.doc = true;
  enforceLimits(into, touched);
}

export function isEmptyState(state: ProfileState): boolean {
  return state.series.size === 0 && state.impressions.size === 0 && state.carts.size === 0 && Object.keys(state.memberships).length === 0;
}

/** When something in the state next lapses by time alone (a day bucket, an impression, a cart). */
export function nextLapseMs(state: ProfileState): number {
  let at = Infinity;
  for (const own of state.series.values()) for (const s of own.values()) at = Math.min(at, seriesExpiry(s));
  for (const times of state.impressions.values()) at = Math.min(at, (times[0] ?? Infinity) + RETENTION_MS);
  for (const cart of state.carts.values()) at = Math.min(at, cart.tsMs + RETENTION_MS);
  // Hourly buckets lapse every hour; they are pruned along with the daily work rather than waking the object hourly.
  return Number.isFinite(at) ? Math.max(at, 0) : Infinity;
}
