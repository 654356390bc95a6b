import type { LocationHint } from './geo/location-hint';
import type { SegmentRule } from './segments/rule-schema';

/**
 * The domain model shared by the engine, the profile pipeline and the edges.
 * Money is integer micro-units of the catalog currency (1 USD CPM = 1_000_000); times are
 * epoch milliseconds; durations carry their unit in the name.
 */

/**
 * Targeting expression (JSON AST). Leaves are predicates on the request, the impression and the
 * user's profile; lists inside a leaf mean "any of". A leaf that cannot be evaluated (no profile,
 * unknown time zone, no geo) is false, so `not` of it is true: write `not` with that in mind.
 */
export type TargetingExpr =
  | { readonly all: readonly TargetingExpr[] }
  | { readonly any: readonly TargetingExpr[] }
  | { readonly not: TargetingExpr }
  /** A real-time segment of the line item's own advertiser. */
  | { readonly segment: string }
  /** Countries are ISO 3166-1 alpha-3 (as OpenRTB sends them); regions ISO 3166-2 subdivision codes; metro = Nielsen DMA code. */
  | { readonly geo: GeoTarget }
  | { readonly device: DeviceTarget }
  /** Hours 0–23 and weekdays 0–6 (0 = Sunday) in the user's time zone (`device.geo.utcoffset`), or at a fixed UTC offset. */
  | { readonly daypart: DaypartTarget }
  | { readonly site: InventoryTarget }
  | { readonly app: InventoryTarget }
  /** Any of these keywords in the site/app/user keywords (case-insensitive). */
  | { readonly keywords: readonly string[] }
  /** Every key has one of its listed values among the publisher's key-values. */
  | { readonly keyValues: Readonly<Record<string, readonly string[]>> }
  /** The impression offers one of these PMP deals. */
  | { readonly deal: readonly string[] }
  /** The user's lookalike score under `model` is at least `atLeast`. */
  | { readonly score: { readonly model: string; readonly atLeast: number } }
  /** The impression accepts one of: `banner`, `video`, `native`, or a banner size `WxH`. */
  | { readonly format: readonly string[] };

export interface GeoTarget {
  readonly country?: readonly string[];
  readonly region?: readonly string[];
  readonly metro?: readonly string[];
  readonly postalPrefix?: readonly string[];
}

export interface DeviceTarget {
  /** OpenRTB device types (1 mobile/tablet, 2 PC, 3 CTV, 4 phone, 5 tablet, 6 connected device, 7 set-top box, 8 OOH). */
  readonly type?: readonly number[];
  readonly os?: readonly string[];
  readonly make?: readonly string[];
}

export interface DaypartTarget {
  readonly hours?: readonly number[];
  readonly weekdays?: readonly number[];
  /** Fixed offset instead of the user's own time zone. */
  readonly utcOffsetMinutes?: number;
}

/** For `site`: domains; for `app`: bundles. Categories are IAB content categories; publisher = publisher.id. */
export interface InventoryTarget {
  readonly domain?: readonly string[];
  readonly bundle?: readonly string[];
  readonly category?: readonly string[];
  readonly publisher?: readonly string[];
}

export interface Advertiser {
  readonly id: string;
  readonly name: string;
  /** Advertiser domains, reported as `adomain` and checked against `badv`. */
  readonly domains: readonly string[];
  /** IAB content categories of the advertiser's ads, checked against `bcat`. */
  readonly categories: readonly string[];
  /** App-store ids the advertiser promotes, checked against `bapp`. */
  readonly appBundles?: readonly string[];
  /** Paused: none of its line items serve (absent = active). */
  readonly status?: 'active' | 'paused';
}

export interface Campaign {
  readonly id: string;
  readonly advertiserId: string;
  readonly name: string;
  readonly status?: 'active' | 'paused' | 'archived';
  readonly startMs?: number;
  readonly endMs?: number;
  /**
   * Users who converted with the advertiser (any of `eventTypes`) within `suppressWithinSec` are not
   * served this campaign. `suppressWithinSec: 0` = never suppress.
   */
  readonly conversion: {
    readonly eventTypes: readonly ConversionEventType[];
    readonly suppressWithinSec: number;
  };
  /** Percent (0–50) of users held out as a control group: never served, recorded as "would have served". */
  readonly holdoutPct: number;
  /** For pacing and reports (budgets issue); integer micros. */
  readonly budget?: {
    readonly dailyMicros?: number;
    readonly totalMicros?: number;
    readonly pacing: 'even' | 'asap';
    /** IANA time zone the budget day runs in (e.g. `America/New_York`); UTC when absent. */
    readonly timeZone?: string;
  };
}

export type CapScope = 'lineItem' | 'campaign' | 'advertiser';

export interface FrequencyCap {
  readonly scope: CapScope;
  /** At most `max` impressions within the rolling `windowSec`. */
  readonly max: number;
  readonly windowSec: number;
  /** High-value look-alikes may see more: `max` becomes `raisedMax` when the score is at least `atLeast`. */
  readonly raiseFor?: { readonly model: string; readonly atLeast: number; readonly raisedMax: number };
}

/** Bid adjustments multiply the base CPM; several multiply together. */
export type BidAdjustment =
  /** When the expression holds (e.g. `{ segment: "cart_abandoners" }`). */
  | { readonly kind: 'when'; readonly when: TargetingExpr; readonly multiplier: number }
  /** Fresh interest: `multiplier` right after the last `event`, falling linearly to 1 at `withinSec`. */
  | { readonly kind: 'recency'; readonly event: ProfileEventType; readonly withinSec: number; readonly multiplier: number }
  /** Wear-out: `factor` per impression already shown in scope within `windowSec`, never below `floor`. */
  | {
      readonly kind: 'impressionDecay';
      readonly scope: CapScope;
      readonly windowSec: number;
      readonly factor: number;
      readonly floor: number;
    }
  /** Lookalike curve: piecewise-linear over `[score, multiplier]` points (sorted by score). */
  | { readonly kind: 'score'; readonly model: string; readonly curve: readonly (readonly [number, number])[] };

export interface LineItem {
  readonly id: string;
  readonly campaignId: string;
  readonly name: string;
  readonly status: 'active' | 'paused' | 'archived';
  /** `null` = everyone (contextual / prospecting). */
  readonly targeting: TargetingExpr | null;
  readonly baseCpmMicros: number;
  readonly maxCpmMicros: number;
  readonly adjustments: readonly BidAdjustment[];
  readonly frequencyCaps: readonly FrequencyCap[];
  readonly creativeIds: readonly string[];
  /** Higher wins before price is compared (e.g. retargeting over prospecting). */
  readonly priority: number;
  /** First-price auctions (`at: 1`): bid this fraction of the computed price, never under the floor. */
  readonly shading?: { readonly fraction: number };
}

interface CreativeBase {
  readonly id: string;
  readonly advertiserId: string;
  /** Landing page; clicks redirect here through our signed click URL. */
  readonly clickUrl: string;
  readonly categories: readonly string[];
  /** IAB creative attributes (OpenRTB `attr`), checked against the impression's `battr`. */
  readonly attributes: readonly number[];
  /** Relative weight when several creatives of a line item fit (A/B rotation). */
  readonly weight: number;
  /** Paused: never served; a line item left without a creative cannot bid (absent = active). */
  readonly status?: 'active' | 'paused';
  /**
   * Dynamic creatives: markup (or VAST, or native text) may hold `{{placeholder}}`s filled from
   * the profile; when one cannot be filled, `fallback` replaces the template fields.
   */
  readonly dynamic?: DynamicSpec;
}

export interface DynamicSpec {
  /** Shown to members of the advertiser's `deal_seekers` segment as `{{discount}}`. */
  readonly discountText?: string;
  /** Static replacement used when the profile lacks a placeholder's data. */
  readonly fallback: { readonly markup?: string; readonly vast?: string; readonly title?: string; readonly body?: string };
}

export interface BannerCreative extends CreativeBase {
  readonly format: 'banner';
  readonly w: number;
  readonly h: number;
  /** HTML with macros: `${CLICK_URL}`, `${IMPRESSION_URL}`, `${AUCTION_PRICE}`. */
  readonly markup: string;
}

export interface VideoCreative extends CreativeBase {
  readonly format: 'video';
  /** VAST XML with the same macros (URLs inserted XML-escaped). */
  readonly vast: string;
  readonly mimes: readonly string[];
  readonly durationSec: number;
  /** OpenRTB video protocols this VAST is valid as (2 = VAST 2.0, 3 = VAST 3.0, 7 = VAST 4.0, …). */
  readonly protocols: readonly number[];
  readonly w: number;
  readonly h: number;
}

export interface NativeCreative extends CreativeBase {
  readonly format: 'native';
  readonly title: string;
  /** Main image. */
  readonly image?: { readonly url: string; readonly w: number; readonly h: number };
  readonly icon?: { readonly url: string; readonly w: number; readonly h: number };
  /** Data assets: description (type 2), sponsored-by (type 1), call to action (type 12). */
  readonly body?: string;
  readonly sponsored?: string;
  readonly cta?: string;
}

export type Creative = BannerCreative | VideoCreative | NativeCreative;

export type ConversionEventType = 'purchase' | 'conversion';

/** A linear model over profile features; the score is the logistic of the weighted sum. */
export interface LookalikeModel {
  readonly id: string;
  readonly advertiserId: string;
  readonly intercept: number;
  readonly weights: readonly LookalikeWeight[];
  /** Paused: scores nothing, as if the user had no score (absent = active). */
  readonly status?: 'active' | 'paused';
}

export type LookalikeWeight =
  /** 1 when the user is in the advertiser's segment. */
  | { readonly segment: string; readonly weight: number }
  /** ln(1 + count) of the advertiser's `event`s in the last `windowDays`. */
  | { readonly count: ProfileEventType; readonly windowDays: number; readonly weight: number }
  /** 2^(−age / halfLifeDays) of the last such event, 0 if none. */
  | { readonly recency: ProfileEventType; readonly halfLifeDays: number; readonly weight: number };

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
  readonly lookalikeModels: readonly LookalikeModel[];
  /** Real-time segment rules; absent = the seed set (see segments/seed-rules.ts). */
  readonly segmentRules?: readonly SegmentRule[];
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
  /** The user opted out: no behavioural use at all (the snapshot then carries nothing else). */
  readonly optedOut?: boolean;
  /** Keyed `<segment>@<advertiserId>`. */
  readonly segments: Readonly<Record<string, SegmentMembership>>;
  /** Last conversion time, keyed `<eventType>@<advertiserId>` (e.g. `purchase@adv-acme`). */
  readonly conversions: Readonly<Record<string, number>>;
  /**
   * Recent impression times (ascending, at most {@link MAX_IMPRESSIONS_PER_SCOPE}) keyed
   * `li:<id>`, `cmp:<id>`, `adv:<id>`, for frequency caps and wear-out.
   */
  readonly impressions?: Readonly<Record<string, readonly number[]>>;
  /**
   * Activity per `<eventType>@<advertiserId>`: last time, and daily counts as `[day, count]` with
   * day = floor(epochMs / 86 400 000), newest last, at most 90 days. Lookalike and recency read it.
   */
  readonly activity?: Readonly<Record<string, ActivitySummary>>;
  /** What dynamic creatives may show, per advertiser id. */
  readonly dynamic?: Readonly<Record<string, DynamicData>>;
}

export const MAX_IMPRESSIONS_PER_SCOPE = 64;

export interface ActivitySummary {
  readonly lastMs: number;
  readonly daily: readonly (readonly [number, number])[];
}

export interface DynamicData {
  /** The product added to the cart most recently and not bought since. */
  readonly cartProductId?: string;
  readonly cartProductName?: string;
  /** The category the user browsed most (product views). */
  readonly topCategory?: string;
}

/**
 * Where a decision's profile came from: the user's object, its KV snapshot, nothing (not allowed,
 * no id, or the read failed), or `unknown` — the known-users filter says the id has no profile,
 * so nothing was read.
 */
export type ProfileSource = 'do' | 'kv' | 'none' | 'unknown';

export const PROFILE_EVENT_TYPES = [
  'page_view',
  'product_view',
  'add_to_cart',
  'purchase',
  'conversion',
  /** Recorded from our own impression tracking, for frequency caps; not accepted from the events API. */
  'impression',
  /** Links other ids of the same person (`links`) to this profile; counts as no behaviour. */
  'identify',
] as const;
export type ProfileEventType = (typeof PROFILE_EVENT_TYPES)[number];

/** Event types callers may send to the events API (impressions come only from our own tracking). */
export const API_EVENT_TYPES = ['page_view', 'product_view', 'add_to_cart', 'purchase', 'conversion', 'identify'] as const;

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
  readonly productName?: string;
  readonly category?: string;
  readonly valueMicros?: number;
  /** For `impression` events: what was shown, for frequency caps. */
  readonly lineItemId?: string;
  readonly campaignId?: string;
  /** For `identify` events: the hashed keys (any id space) of the same person, to merge into one profile. */
  readonly links?: readonly string[];
  /** Region the event came from, so a profile first created by the consumer lives near its user. */
  readonly locationHint?: LocationHint;
}
