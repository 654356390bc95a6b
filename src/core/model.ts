import type { LocationHint } from './geo/location-hint';

/**
 * The domain model shared by the engine, the profile pipeline and the edges.
 * Money is integer micro-units of the catalog currency (1 USD CPM = 1_000_000); times are
 * epoch milliseconds; durations carry their unit in the name.
 */

/** Targeting expression (JSON AST). The engine issue extends this union. */
export type TargetingExpr =
  | { readonly all: readonly TargetingExpr[] }
  | { readonly any: readonly TargetingExpr[] }
  | { readonly not: TargetingExpr }
  | { readonly segment: string };

export interface Advertiser {
  readonly id: string;
  readonly name: string;
  /** Advertiser domains, reported as `adomain` and checked against `badv`. */
  readonly domains: readonly string[];
  /** IAB content categories of the advertiser's ads, checked against `bcat`. */
  readonly categories: readonly string[];
}

export interface Campaign {
  readonly id: string;
  readonly advertiserId: string;
  readonly name: string;
  readonly startMs?: number;
  readonly endMs?: number;
  /** Users who converted with this advertiser within this window are not served this campaign. 0 = never suppress. */
  readonly suppressConvertedWithinSec: number;
}

export interface BidMultiplier {
  readonly segment: string;
  /** Applied to the base CPM when the user is in `segment`; several multiply together. */
  readonly multiplier: number;
}

export interface LineItem {
  readonly id: string;
  readonly campaignId: string;
  readonly name: string;
  readonly status: 'active' | 'paused';
  /** `null` = everyone (contextual / prospecting). */
  readonly targeting: TargetingExpr | null;
  readonly baseCpmMicros: number;
  readonly maxCpmMicros: number;
  readonly multipliers: readonly BidMultiplier[];
  readonly creativeIds: readonly string[];
  /** Higher wins before price is compared (e.g. retargeting over prospecting). */
  readonly priority: number;
}

export interface Creative {
  readonly id: string;
  readonly advertiserId: string;
  readonly format: 'banner';
  readonly w: number;
  readonly h: number;
  /** HTML with macros: `${CLICK_URL}`, `${IMPRESSION_URL}`, `${AUCTION_PRICE}`. */
  readonly markup: string;
  readonly clickUrl: string;
  readonly categories: readonly string[];
  /** Relative weight when several creatives of a line item fit. */
  readonly weight: number;
}

export interface CatalogDocument {
  readonly version: number;
  /** ISO 4217 code our prices are in. */
  readonly currency: string;
  /** Units of `currency` per one unit of the keyed currency (for floors in other currencies). */
  readonly currencyRates: Readonly<Record<string, number>>;
  readonly advertisers: readonly Advertiser[];
  readonly campaigns: readonly Campaign[];
  readonly lineItems: readonly LineItem[];
  readonly creatives: readonly Creative[];
}

/** Segment membership as the hot path reads it. Expiry is checked against `now` at decision time. */
export interface SegmentMembership {
  readonly sinceMs: number;
  readonly expiresAtMs: number;
}

/** What the bid path knows about a user: compact, read-only, written behind by the profile pipeline. */
export interface ProfileSnapshot {
  /** Increases with every change to the profile; the fresher of two snapshots has the larger one. */
  readonly version: number;
  readonly updatedAtMs: number;
  readonly segments: Readonly<Record<string, SegmentMembership>>;
  /** Last conversion time per advertiser id. */
  readonly conversions: Readonly<Record<string, number>>;
}

export type ProfileSource = 'do' | 'kv' | 'none';

export const PROFILE_EVENT_TYPES = [
  'page_view',
  'product_view',
  'add_to_cart',
  'purchase',
  'conversion',
] as const;
export type ProfileEventType = (typeof PROFILE_EVENT_TYPES)[number];

export function isProfileEventType(s: string): s is ProfileEventType {
  return (PROFILE_EVENT_TYPES as readonly string[]).includes(s);
}

/** An accepted behavioural event as it travels through the queue (the user key already hashed). */
export interface ProfileEvent {
  readonly id: string;
  readonly type: ProfileEventType;
  readonly userHash: string;
  readonly tsMs: number;
  readonly advertiserId?: string;
  readonly productId?: string;
  readonly valueMicros?: number;
  /** Region the event came from, so a profile first created by the consumer lives near its user. */
  readonly locationHint?: LocationHint;
}
