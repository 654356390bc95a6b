/**
 * What the engine sees of one ad request, independent of where it came from (OpenRTB or the
 * publisher decisions API). The edges build it after the consent gate: whatever processing is
 * not allowed is already absent here (no profile, no precise geo), so the engine never has to
 * know why something is missing.
 */
import type { NoBidReason } from './no-bid';

export interface Size {
  readonly w: number;
  readonly h: number;
}

export interface BannerSpec {
  /** Accepted sizes (`format[]`, else `w`/`h`). */
  readonly sizes: readonly Size[];
  /** Blocked creative attributes (`battr`). */
  readonly blockedAttributes: readonly number[];
}

export interface VideoSpec {
  readonly mimes: readonly string[];
  readonly minDurationSec?: number;
  readonly maxDurationSec?: number;
  /** OpenRTB 2.6 `rqddurs`: the only durations accepted (exact seconds); absent or empty = any. */
  readonly requiredDurationsSec?: readonly number[];
  /** Accepted protocols; empty = the request does not say (any VAST we have). */
  readonly protocols: readonly number[];
  readonly w?: number;
  readonly h?: number;
  readonly blockedAttributes: readonly number[];
}

/** One asset the native request asks for (Native 1.2), reduced to what matching needs. */
export type NativeAssetSpec =
  | { readonly id: number; readonly required: boolean; readonly kind: 'title'; readonly len: number }
  | {
      readonly id: number;
      readonly required: boolean;
      readonly kind: 'image';
      /** 1 = icon, 3 = main. */
      readonly type: number;
      readonly w?: number;
      readonly h?: number;
      readonly wmin?: number;
      readonly hmin?: number;
    }
  | {
      readonly id: number;
      readonly required: boolean;
      readonly kind: 'data';
      /** 1 = sponsored, 2 = desc, 12 = ctatext; others we cannot fill. */
      readonly type: number;
      readonly len?: number;
    }
  /** Video assets inside native: we never fill them. */
  | { readonly id: number; readonly required: boolean; readonly kind: 'video' };

export interface NativeSpec {
  readonly assets: readonly NativeAssetSpec[];
  readonly blockedAttributes: readonly number[];
  /** How the response markup must be shaped for this request; absent = Native 1.2, `imptrackers`. */
  readonly response?: NativeResponseShape;
}

export interface NativeResponseShape {
  /** Version to answer with (the request's). */
  readonly ver: string;
  /** The request used the Native 1.0 `{"native": {...}}` wrapper: the response is wrapped too. */
  readonly wrapped: boolean;
  /** The request declares `eventtrackers` with event 1 (impression) and method 1 (image). */
  readonly impressionImageTracker: boolean;
}

export interface DealSpec {
  readonly id: string;
  /** Deal floor in catalog-currency micros; `null` when its currency is unknown to us. */
  readonly floorMicros: number | null;
}

/** One impression (OpenRTB `imp`, or a publisher placement). */
export interface Slot {
  readonly id: string;
  readonly banner?: BannerSpec;
  readonly video?: VideoSpec;
  readonly native?: NativeSpec;
  /** Open-auction floor in catalog-currency micros; `null` when the floor's currency is unknown to us. */
  readonly floorMicros: number | null;
  /** Deals offered on this impression (only those our seat may bid in). */
  readonly deals: readonly DealSpec[];
  /** Only deal bids are accepted (`pmp.private_auction = 1`). */
  readonly privateAuction: boolean;
  /** Publisher key-values for this impression (imp level merged over site/app level), values as strings. */
  readonly keyValues: Readonly<Record<string, readonly string[]>>;
  /** Set when the request itself rules us out for this slot (e.g. our seat is blocked). */
  readonly closed?: NoBidReason;
}

export interface RequestGeo {
  /** ISO 3166-1 alpha-3, upper case. */
  readonly country?: string;
  readonly region?: string;
  /** Precise geo: only present when the consent allows it. */
  readonly metro?: string;
  readonly postal?: string;
  /** Minutes from UTC at the user's location (`geo.utcoffset`). */
  readonly utcOffsetMinutes?: number;
}

export interface RequestDevice {
  readonly type?: number;
  /** Lower case. */
  readonly os?: string;
  /** Lower case. */
  readonly make?: string;
}

export interface RequestInventory {
  readonly kind: 'site' | 'app' | 'unknown';
  /** Lower case; site domain (or the page's host). */
  readonly domain?: string;
  /** App bundle / store id. */
  readonly bundle?: string;
  readonly publisherId?: string;
  /** IAB content categories of the site/app, its section, page and content. */
  readonly categories: readonly string[];
}

export interface RequestContext {
  readonly geo: RequestGeo;
  readonly device: RequestDevice;
  readonly inventory: RequestInventory;
  /** Lower-cased keywords from site/app/user/content. */
  readonly keywords: readonly string[];
  /** 1 = first price, 2 = second price (OpenRTB `at`). */
  readonly auctionType: 1 | 2;
  readonly blockedCategories: readonly string[];
  /** Lower case. */
  readonly blockedDomains: readonly string[];
  readonly blockedApps: readonly string[];
}

/** The edge's view of a campaign's spend, for pacing and budget exhaustion (the budgets issue fills it). */
export interface PacingState {
  /** Multiplies the bid; 1 = on pace. */
  readonly multiplier: number;
  /** The budget is spent: no bids until the next budget period. */
  readonly exhausted: boolean;
  /** Held back this time by pacing: spending ahead of plan, or the spend figures are not loaded yet. */
  readonly paced?: boolean;
}
