/**
 * Synthetic catalogs and requests for the engine benchmark (scripts/bench-engine.mjs), shaped
 * like real demand and traffic: most line items target a few of ~50 countries (popular ones more
 * often) and a device type or two, creatives come in some of the ~10 IAB sizes, a share target
 * per-advertiser segments, some carry site/app lists, deals, dayparts, key-values; priorities
 * 1–10 and CPMs spread over two orders of magnitude. Requests follow the same popularity curves,
 * and about half the users have a profile with a few active segments. Deterministic for a seed.
 */
import type { CatalogDocument, Creative, LineItem, ProfileSnapshot, TargetingExpr } from '../model';
import { segmentKey } from '../segments/segment-key';
import type { RequestContext, Size, Slot } from './request-context';

export type Rng = () => number;

/** mulberry32: a small seeded generator, so a run can be reproduced exactly. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const COUNTRIES = (
  'USA GBR DEU FRA CAN JPN BRA IND AUS ITA ESP MEX NLD KOR SWE POL TUR CHE BEL ARG ' +
  'AUT NOR DNK FIN IRL PRT CZE GRC HUN ROU ISR ZAF NZL SGP MYS THA IDN PHL VNM CHL ' +
  'COL PER ARE SAU EGY NGA KEN UKR PAK BGD'
).split(' ');
const SIZES: readonly Size[] = [
  [300, 250], [728, 90], [320, 50], [160, 600], [300, 600], [970, 250], [336, 280], [468, 60], [320, 100], [300, 50],
].map(([w = 0, h = 0]) => ({ w, h }));
const DEVICE_TYPES = [2, 4, 5, 3, 1, 6, 7];
const OSES = ['android', 'ios', 'windows', 'macos', 'linux', 'tvos'];
const SEGMENTS_PER_ADVERTISER = 50;
const DOMAINS = 2_000;
const BUNDLES = 500;
const DEALS = 100;
const IAB_CATEGORIES = Array.from({ length: 26 }, (_, i) => `IAB${i + 1}`);
const KEYWORDS = ['sports', 'news', 'travel', 'finance', 'tech', 'cars', 'food', 'health', 'music', 'games', 'fashion', 'home'];

/** Picks index i with weight 1 / (i + 1)^s: a few values are common, most are rare. */
function zipf(n: number, s = 1): (rng: Rng) => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) cumulative.push((total += 1 / Math.pow(i + 1, s)));
  return (rng) => {
    const x = rng() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] ?? total) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const country = zipf(COUNTRIES.length, 1.1);
const size = zipf(SIZES.length, 1);
const deviceType = zipf(DEVICE_TYPES.length, 1.2);
const domainRank = zipf(DOMAINS, 1);
const bundleRank = zipf(BUNDLES, 1);
const segmentRank = zipf(SEGMENTS_PER_ADVERTISER, 1);
const dealRank = zipf(DEALS, 1);
const category = zipf(IAB_CATEGORIES.length, 0.8);

function at<T>(list: readonly T[], i: number): T {
  const v = list[i];
  if (v === undefined) throw new Error(`synthetic: index ${i} outside a list of ${list.length}`);
  return v;
}

/** `count` distinct values from `pick` (fewer if it keeps repeating). */
function distinct<T>(count: number, pick: () => T): T[] {
  const out = new Set<T>();
  for (let tries = 0; out.size < count && tries < count * 10; tries++) out.add(pick());
  return [...out];
}

const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const chance = (rng: Rng, p: number): boolean => rng() < p;

export const domainOf = (rank: number): string => `site${rank}.example`;
export const bundleOf = (rank: number): string => `com.publisher${rank}.app`;
export const dealOf = (rank: number): string => `deal-${rank}`;
export const segmentOf = (rank: number): string => `seg-${rank}`;
export const advertiserOf = (i: number): string => `adv-${i}`;
const purchasersOf = (i: number): string => `purchasers-${i}`;
const PURCHASER_SEGMENTS = 7;

export function advertiserCount(lineItems: number): number {
  return Math.min(200, Math.max(5, Math.ceil(lineItems / 10)));
}

/** A catalog of `lineItems` line items (creatives, campaigns and advertisers to match). */
export function syntheticCatalog(lineItems: number, rng: Rng): CatalogDocument {
  const advertisers = advertiserCount(lineItems);
  const campaignsPer = 3;
  const creatives: Creative[] = [];
  const items: LineItem[] = [];
  for (let i = 0; i < lineItems; i++) {
    const adv = int(rng, 0, advertisers - 1);
    const advertiserId = advertiserOf(adv);
    const baseCpmMicros = Math.round(200_000 * Math.pow(75, rng()));
    const creativeIds = distinct(int(rng, 1, 3), () => creativeFormat(rng)).map((format, j) => {
      const id = `cr-${i}-${j}`;
      creatives.push(creative(id, advertiserId, format));
      return id;
    });
    items.push({
      id: `li-${i}`,
      campaignId: `cmp-${adv}-${int(rng, 0, campaignsPer - 1)}`,
      name: `line item ${i}`,
      status: chance(rng, 0.95) ? 'active' : 'paused',
      targeting: targeting(rng, adv),
      baseCpmMicros,
      maxCpmMicros: Math.round(baseCpmMicros * (1 + 2 * rng())),
      adjustments: chance(rng, 0.2) ? [{ kind: 'when', when: { segment: segmentOf(segmentRank(rng)) }, multiplier: 1.5 }] : [],
      frequencyCaps: chance(rng, 0.3) ? [{ scope: 'lineItem', max: int(rng, 2, 10), windowSec: 86_400 }] : [],
      creativeIds,
      // Most demand sits in the middle tiers; retargeting and deals above, remnant below.
      priority: Math.max(1, Math.min(10, Math.round(5.5 + 3 * (rng() + rng() + rng() - 1.5)))),
    });
  }
  return {
    version: 1,
    currency: 'USD',
    currencyRates: { EUR: 1.08, GBP: 1.27 },
    advertisers: Array.from({ length: advertisers }, (_, a) => ({
      id: advertiserOf(a),
      name: `Advertiser ${a}`,
      domains: [`advertiser${a}.example`],
      categories: [at(IAB_CATEGORIES, category(rng))],
    })),
    campaigns: Array.from({ length: advertisers * campaignsPer }, (_, c) => {
      const adv = Math.floor(c / campaignsPer);
      return {
        id: `cmp-${adv}-${c % campaignsPer}`,
        advertiserId: advertiserOf(adv),
        name: `Campaign ${c}`,
        conversion: { eventTypes: ['purchase'], suppressWithinSec: chance(rng, 0.5) ? 14 * 86_400 : 0 },
        holdoutPct: chance(rng, 0.05) ? 10 : 0,
      };
    }),
    lineItems: items,
    creatives,
    lookalikeModels: [],
    // One rule per segment name, for every advertiser (each over its own events), so the catalog validates.
    segmentRules: [
      ...Array.from({ length: SEGMENTS_PER_ADVERTISER }, (_, i) => ({
        id: segmentOf(i),
        when: { count: { type: 'product_view' as const, category: `category-${i}` }, window: '7d', op: '>=' as const, value: 2 },
      })),
      ...Array.from({ length: PURCHASER_SEGMENTS }, (_, i) => ({ id: purchasersOf(i), when: { last: { type: 'purchase' as const }, within: `${30 + i}d` } })),
    ],
  };
}

type CreativeFormat = Size | 'video' | 'native';

function creativeFormat(rng: Rng): CreativeFormat {
  const r = rng();
  return r < 0.06 ? 'video' : r < 0.1 ? 'native' : at(SIZES, size(rng));
}

// Spelled out rather than spread from a base object: spreading is most of the generation time at 100,000.
function creative(id: string, advertiserId: string, format: CreativeFormat): Creative {
  const clickUrl = `https://${advertiserId}.example/landing`;
  if (format === 'video') {
    return {
      id, advertiserId, clickUrl, categories: [], attributes: [], weight: 1,
      format: 'video', vast: '<VAST version="3.0"></VAST>', mimes: ['video/mp4'], durationSec: 15, protocols: [2, 3], w: 640, h: 360,
    };
  }
  if (format === 'native') {
    return { id, advertiserId, clickUrl, categories: [], attributes: [], weight: 1, format: 'native', title: `Native ${id}`, body: 'Body text', sponsored: advertiserId };
  }
  return { id, advertiserId, clickUrl, categories: [], attributes: [], weight: 1, format: 'banner', w: format.w, h: format.h, markup: `<a href="\${CLICK_URL}">${id}</a>` };
}

/** An `all` of the parts a campaign manager typically sets; `null` (run of network) for some. */
function targeting(rng: Rng, adv: number): TargetingExpr | null {
  const parts: TargetingExpr[] = [];
  if (chance(rng, 0.75)) {
    const countries = distinct(int(rng, 1, 4), () => at(COUNTRIES, country(rng)));
    parts.push({ geo: chance(rng, 0.1) ? { country: countries.slice(0, 1), region: [`${countries[0] ?? 'USA'}-${int(rng, 1, 9)}`] } : { country: countries } });
  }
  if (chance(rng, 0.5)) parts.push({ device: { type: distinct(int(rng, 1, 2), () => at(DEVICE_TYPES, deviceType(rng))) } });
  if (chance(rng, 0.15)) parts.push({ device: { os: distinct(int(rng, 1, 2), () => at(OSES, int(rng, 0, OSES.length - 1))) } });
  if (chance(rng, 0.25)) {
    const segments = distinct(int(rng, 1, 3), () => segmentOf(segmentRank(rng)));
    parts.push(segments.length === 1 ? { segment: segments[0] ?? 'seg-0' } : { any: segments.map((segment) => ({ segment })) });
  }
  const inventory = rng();
  if (inventory < 0.12) parts.push({ site: { domain: distinct(int(rng, 5, 30), () => domainOf(domainRank(rng))) } });
  else if (inventory < 0.17) parts.push({ app: { bundle: distinct(int(rng, 3, 15), () => bundleOf(bundleRank(rng))) } });
  else if (inventory < 0.25) parts.push({ site: { category: distinct(int(rng, 1, 3), () => at(IAB_CATEGORIES, category(rng))) } });
  if (chance(rng, 0.05)) parts.push({ keywords: distinct(int(rng, 1, 3), () => at(KEYWORDS, int(rng, 0, KEYWORDS.length - 1))) });
  if (chance(rng, 0.04)) parts.push({ deal: [dealOf(dealRank(rng))] });
  if (chance(rng, 0.1)) parts.push({ daypart: { hours: distinct(int(rng, 6, 16), () => int(rng, 0, 23)) } });
  if (chance(rng, 0.05)) parts.push({ keyValues: { pos: [chance(rng, 0.5) ? 'atf' : 'btf'] } });
  if (chance(rng, 0.05)) parts.push({ not: { segment: purchasersOf(adv % PURCHASER_SEGMENTS) } });
  const [only] = parts;
  return parts.length === 0 ? null : parts.length === 1 && only ? only : { all: parts };
}

export interface SyntheticRequest {
  readonly request: RequestContext;
  readonly slots: readonly Slot[];
  readonly profile: ProfileSnapshot | null;
  readonly userHash: string | null;
}

/** One request of the stream: one impression, a user who has a profile about half the time. */
export function syntheticRequest(rng: Rng, advertisers: number, nowMs: number): SyntheticRequest {
  const isApp = chance(rng, 0.2);
  const type = at(DEVICE_TYPES, deviceType(rng));
  const countryCode = at(COUNTRIES, country(rng));
  const domain = domainOf(domainRank(rng));
  const request: RequestContext = {
    geo: { country: countryCode, region: `${countryCode}-${int(rng, 1, 9)}`, utcOffsetMinutes: 60 * int(rng, -8, 9) },
    device: { type, os: at(OSES, type === 2 ? int(rng, 2, 4) : int(rng, 0, 1)) },
    inventory: isApp
      ? { kind: 'app', bundle: bundleOf(bundleRank(rng)), publisherId: `pub-${int(rng, 0, 300)}`, categories: [at(IAB_CATEGORIES, category(rng))] }
      : { kind: 'site', domain: chance(rng, 0.3) ? `www.${domain}` : domain, publisherId: `pub-${int(rng, 0, 300)}`, categories: [at(IAB_CATEGORIES, category(rng))] },
    keywords: distinct(int(rng, 0, 3), () => at(KEYWORDS, int(rng, 0, KEYWORDS.length - 1))),
    auctionType: chance(rng, 0.7) ? 1 : 2,
    blockedCategories: chance(rng, 0.3) ? [at(IAB_CATEGORIES, category(rng))] : [],
    blockedDomains: [],
    blockedApps: [],
  };
  const media = rng();
  const slot: Slot = {
    id: '1',
    ...(media < 0.08
      ? { video: { mimes: ['video/mp4'], protocols: [2, 3], maxDurationSec: 30, blockedAttributes: [] } }
      : media < 0.13
        ? { native: { assets: [{ id: 1, required: true, kind: 'title', len: 90 }], blockedAttributes: [] } }
        : { banner: { sizes: distinct(int(rng, 1, 2), () => at(SIZES, size(rng))), blockedAttributes: [] } }),
    floorMicros: Math.round(2_000_000 * rng() * rng()),
    deals: chance(rng, 0.1) ? [{ id: dealOf(dealRank(rng)), floorMicros: 1_000_000 }] : [],
    privateAuction: false,
    keyValues: chance(rng, 0.3) ? { pos: [chance(rng, 0.5) ? 'atf' : 'btf'] } : {},
  };
  return { request, slots: [slot], profile: chance(rng, 0.5) ? profile(rng, advertisers, nowMs) : null, userHash: chance(rng, 0.7) ? `u-${int(rng, 0, 1e9)}` : null };
}

/** Active memberships in a few segments of one to three advertisers. */
function profile(rng: Rng, advertisers: number, nowMs: number): ProfileSnapshot {
  const segments: Record<string, { sinceMs: number; expiresAtMs: number }> = {};
  for (let a = int(rng, 1, 3); a > 0; a--) {
    const advertiserId = advertiserOf(int(rng, 0, advertisers - 1));
    for (let s = int(rng, 1, 4); s > 0; s--) {
      segments[segmentKey(segmentOf(segmentRank(rng)), advertiserId)] = { sinceMs: nowMs - 3_600_000, expiresAtMs: nowMs + 7 * 86_400_000 };
    }
  }
  return { version: 1, updatedAtMs: nowMs, segments, conversions: {} };
}
