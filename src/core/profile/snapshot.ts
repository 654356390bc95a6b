/**
 * The compact snapshot the hot path reads (from the object, or KV as the fallback), built from
 * the profile state: memberships, last conversions, impression times for frequency caps, daily
 * activity for lookalikes and recency, and what dynamic creatives may show.
 */
import type { ActivitySummary, DynamicData, ProfileSnapshot, SegmentMembership } from '../model';
import type { ProfileState } from './profile-state';
import { windowTotals } from './series';
import { DAY_MS } from './retention';

const CONVERSION_TYPES = ['purchase', 'conversion'] as const;
/** `topCategory` looks at product views of this many days. */
const TOP_CATEGORY_WINDOW_MS = 30 * DAY_MS;

export function optedOutSnapshot(version: number, nowMs: number): ProfileSnapshot {
  return { version, updatedAtMs: nowMs, optedOut: true, segments: {}, conversions: {} };
}

export function buildSnapshot(
  state: ProfileState,
  memberships: Readonly<Record<string, SegmentMembership>>,
  version: number,
  nowMs: number,
): ProfileSnapshot {
  const conversions: Record<string, number> = {};
  const activity: Record<string, ActivitySummary> = {};
  const dynamic: Record<string, DynamicData> = {};
  for (const [advertiserId, own] of state.series) {
    // Per-advertiser data only: events without an advertiser build no segment and no signal.
    if (advertiserId === '') continue;
    for (const [sub, s] of own) {
      if (sub.includes('|')) continue;
      activity[`${sub}@${advertiserId}`] = { lastMs: s.lastMs, daily: s.days.map(([day, count]) => [day, count] as const) };
    }
    for (const type of CONVERSION_TYPES) {
      const s = own.get(type);
      if (s) conversions[`${type}@${advertiserId}`] = s.lastMs;
    }
    const d = dynamicData(state, advertiserId, nowMs);
    if (d) dynamic[advertiserId] = d;
  }
  const segments: Record<string, SegmentMembership> = {};
  for (const [key, m] of Object.entries(memberships)) if (m.expiresAtMs > nowMs) segments[key] = m;
  return {
    version,
    updatedAtMs: nowMs,
    segments,
    conversions,
    ...(state.impressions.size > 0 ? { impressions: Object.fromEntries([...state.impressions].map(([k, v]) => [k, [...v]])) } : {}),
    ...(Object.keys(activity).length > 0 ? { activity } : {}),
    ...(Object.keys(dynamic).length > 0 ? { dynamic } : {}),
  };
}

/**
 * The cart product of the newest cart add not followed by a purchase from the same advertiser
 * (any purchase ends it, as it ends `cart_abandoners`), and the category with the most product
 * views in 30 days (ties: the most recently viewed).
 */
function dynamicData(state: ProfileState, advertiserId: string, nowMs: number): DynamicData | null {
  const own = state.series.get(advertiserId);
  const cart = state.carts.get(advertiserId);
  const lastPurchase = own?.get('purchase')?.lastMs ?? -Infinity;
  let top: { category: string; count: number; lastMs: number } | undefined;
  for (const [sub, s] of own ?? []) {
    if (!sub.startsWith('product_view|c|')) continue;
    const count = windowTotals(s, TOP_CATEGORY_WINDOW_MS, nowMs).count;
    if (count === 0) continue;
    if (!top || count > top.count || (count === top.count && s.lastMs > top.lastMs)) {
      top = { category: sub.slice('product_view|c|'.length), count, lastMs: s.lastMs };
    }
  }
  const out: { -readonly [K in keyof DynamicData]: DynamicData[K] } = {};
  if (cart && cart.tsMs > lastPurchase) {
    out.cartProductId = cart.productId;
    if (cart.productName !== undefined) out.cartProductName = cart.productName;
  }
  if (top) out.topCategory = top.category;
  return Object.keys(out).length > 0 ? out : null;
}

/** Same content, whatever the version, time and key order: an unchanged profile is not rewritten. */
export function sameContent(a: ProfileSnapshot, b: ProfileSnapshot): boolean {
  return canonical({ ...a, version: 0, updatedAtMs: 0 }) === canonical({ ...b, version: 0, updatedAtMs: 0 });
}

/** Structural equality of plain JSON data, whatever the key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : value,
  );
}
