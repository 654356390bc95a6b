/**
 * The real-time segments computed from a user's recent events, and the snapshot the hot path
 * reads. Segments are per advertiser: an Acme cart is Acme's signal, and only a purchase from
 * Acme ends it — one advertiser's first-party data never targets for another. Memberships carry
 * their own expiry, so they lapse by time with no new event; the hot path compares
 * `expiresAtMs` with its `now`.
 */
import type { ProfileEvent, ProfileSnapshot, SegmentMembership } from '../model';

export const DAY_MS = 86_400_000;
/** Events older than this are neither stored nor counted. */
export const RETENTION_MS = 30 * DAY_MS;
const WEEK_MS = 7 * DAY_MS;

/** What a profile keeps of an event (the user is implied by the object holding it). */
export type HistoryEvent = Omit<ProfileEvent, 'userHash'>;

/** Snapshot key of a segment of one advertiser, e.g. `cart_abandoners@adv-acme`. */
export function segmentKey(segment: string, advertiserId: string): string {
  return `${segment}@${advertiserId}`;
}

/**
 * `cart_abandoners`: an add_to_cart in the last 7 days with no purchase after it.
 * Member since the first such cart add; expires 7 days after the last one.
 */
export function cartAbandoners(events: readonly HistoryEvent[], nowMs: number): SegmentMembership | null {
  const lastPurchase = latest(events, 'purchase');
  let first = Infinity;
  let last = -Infinity;
  for (const e of events) {
    if (e.type !== 'add_to_cart' || e.tsMs <= lastPurchase || e.tsMs <= nowMs - WEEK_MS) continue;
    first = Math.min(first, e.tsMs);
    last = Math.max(last, e.tsMs);
  }
  return last === -Infinity ? null : { sinceMs: first, expiresAtMs: last + WEEK_MS };
}

/**
 * `product_explorers`: more than 3 product views in the last 7 days and no purchase in them.
 * Member since the 4th view; expires when the oldest view still needed leaves the window.
 */
export function productExplorers(events: readonly HistoryEvent[], nowMs: number): SegmentMembership | null {
  const from = nowMs - WEEK_MS;
  if (latest(events, 'purchase') > from) return null;
  const views = events
    .filter((e) => e.type === 'product_view' && e.tsMs > from)
    .map((e) => e.tsMs)
    .sort((a, b) => a - b);
  const fourth = views[3];
  const needed = views[views.length - 4];
  if (fourth === undefined || needed === undefined) return null;
  return { sinceMs: fourth, expiresAtMs: needed + WEEK_MS };
}

/** Last conversion per advertiser: purchases and conversions both count. */
export function conversionsByAdvertiser(events: readonly HistoryEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    if ((e.type === 'purchase' || e.type === 'conversion') && e.advertiserId !== undefined) {
      out[e.advertiserId] = Math.max(out[e.advertiserId] ?? 0, e.tsMs);
    }
  }
  return out;
}

/** Events without an advertiser are kept (idempotence, later rules) but build no segment. */
export function buildSnapshot(events: readonly HistoryEvent[], version: number, nowMs: number): ProfileSnapshot {
  const byAdvertiser = new Map<string, HistoryEvent[]>();
  for (const e of events) {
    if (e.advertiserId === undefined) continue;
    const list = byAdvertiser.get(e.advertiserId);
    if (list) list.push(e);
    else byAdvertiser.set(e.advertiserId, [e]);
  }
  const segments: Record<string, SegmentMembership> = {};
  for (const [advertiserId, own] of byAdvertiser) {
    const cart = cartAbandoners(own, nowMs);
    if (cart) segments[segmentKey('cart_abandoners', advertiserId)] = cart;
    const explorers = productExplorers(own, nowMs);
    if (explorers) segments[segmentKey('product_explorers', advertiserId)] = explorers;
  }
  return { version, updatedAtMs: nowMs, segments, conversions: conversionsByAdvertiser(events) };
}

function latest(events: readonly HistoryEvent[], type: HistoryEvent['type']): number {
  let at = -Infinity;
  for (const e of events) if (e.type === type && e.tsMs > at) at = e.tsMs;
  return at;
}
