/**
 * fast-check arbitraries for the candidate index and engine property tests: line items with
 * random targeting trees (every operator and leaf, case variants, empty lists, dangling segment
 * keys) and requests drawn from small pools, so random targeting meets random requests often.
 * Test support only.
 */
import fc from 'fast-check';
import type { ProfileSnapshot, TargetingExpr } from '../model';
import { segmentKey } from '../segments/segment-key';
import type { EvalContext } from './expr';
import { contextOf, type LineItemSpec } from './index-test-support';
import type { RequestContext, Slot } from './request-context';

export const NOW_MS = 1_750_000_000_000;
const HOUR_MS = 3_600_000;

// Small pools with case variants, so random requests hit random targeting often.
const COUNTRIES = ['USA', 'usa', 'GBR', 'DEU', 'Fra'];
const REGIONS = ['US-CA', 'us-ca', 'GB-ENG', 'DE-BY'];
const METROS = ['501', '803', '602'];
const POSTAL_PREFIXES = ['9', '941', '94107', 'SW1A', 'sw1 a', '1', '', ' '];
const POSTALS = ['94107', '9410', 'SW1A 1AA', 'SW1A1AA', '10115', 'sw1a1aa'];
const DEVICE_TYPES = [1, 2, 4, 5];
const OSES = ['ios', 'iOS', 'android', 'Android', 'windows'];
const MAKES = ['Apple', 'apple', 'samsung'];
const TARGET_DOMAINS = ['news.example', 'example', 'NEWS.EXAMPLE', 'shop.test', 'b.news.example', '', '.example'];
const HOSTS = ['news.example', 'www.news.example', 'a.b.news.example', 'badnews.example', 'example', 'NEWS.example', 'shop.test', '.example', 'x..example'];
const BUNDLES = ['com.app.one', 'COM.APP.ONE', 'com.app.two'];
const PUBLISHERS = ['pub-1', 'pub-2', 'PUB-1'];
const CATEGORIES = ['IAB1', 'IAB2', 'IAB1-1', 'iab1'];
const KEYWORDS = ['sport', 'Sport', 'news', 'tech', 'cars'];
// Keys that look like the pair encoding; no names of Object.prototype members (see the report: the predicate reads `keyValues[key]` unguarded).
const KV_KEYS = ['pos', 'section', 'a:b', '1:x', ''];
const KV_VALUES = ['atf', 'btf', 'home', '1', 'b:atf'];
const DEALS = ['d1', 'd2', 'D1'];
const FORMATS = ['banner', 'video', 'native', '300x250', '728x90', '320x50'];
const CREATIVE_FORMATS = ['300x250', '728x90', '320x50', 'video', 'native'];
const SEGMENTS = ['cart', 'explorer', 'buyer'];
const ADVERTISERS = ['adv-a', 'adv-b'];
const MODELS = ['m1', 'm2'];

/** Mostly 1–3 values, sometimes none (a leaf that can never hold). */
function values<T>(pool: readonly T[]): fc.Arbitrary<T[]> {
  return fc.oneof({ arbitrary: fc.subarray([...pool], { minLength: 1, maxLength: 3 }), weight: 9 }, { arbitrary: fc.constant<T[]>([]), weight: 1 });
}

const some = <T,>(pool: readonly T[]): fc.Arbitrary<T[]> => fc.subarray([...pool], { maxLength: 3 });
const oneOf = <T,>(pool: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...pool);

const leaves: fc.Arbitrary<TargetingExpr>[] = [
  oneOf(SEGMENTS).map((segment) => ({ segment })),
  fc
    .record({ country: values(COUNTRIES), region: values(REGIONS), metro: values(METROS), postalPrefix: values(POSTAL_PREFIXES) }, { requiredKeys: [] })
    .map((geo) => ({ geo })),
  fc.record({ type: values(DEVICE_TYPES), os: values(OSES), make: values(MAKES) }, { requiredKeys: [] }).map((device) => ({ device })),
  fc
    .record(
      {
        hours: fc.subarray(Array.from({ length: 24 }, (_, h) => h), { maxLength: 12 }),
        weekdays: fc.subarray([0, 1, 2, 3, 4, 5, 6], { maxLength: 5 }),
        utcOffsetMinutes: fc.constantFrom(-300, 0, 60, 330),
      },
      { requiredKeys: [] },
    )
    .map((daypart) => ({ daypart })),
  fc
    .tuple(
      fc.boolean(),
      fc.record({ domain: values(TARGET_DOMAINS), bundle: values(BUNDLES), category: values(CATEGORIES), publisher: values(PUBLISHERS) }, { requiredKeys: [] }),
    )
    .map(([site, t]): TargetingExpr => (site ? { site: t } : { app: t })),
  values(KEYWORDS).map((keywords) => ({ keywords })),
  fc.dictionary(oneOf(KV_KEYS), values(KV_VALUES), { maxKeys: 2 }).map((keyValues) => ({ keyValues })),
  values(DEALS).map((deal) => ({ deal })),
  fc.record({ model: oneOf(MODELS), atLeast: fc.double({ min: 0, max: 1, noNaN: true }) }).map((score) => ({ score })),
  values(FORMATS).map((format) => ({ format })),
  // One field alone, so two of them under `all` meet the request more often.
  values(TARGET_DOMAINS).map((domain) => ({ site: { domain } })),
  values(CATEGORIES).map((category) => ({ app: { category } })),
  values(POSTAL_PREFIXES).map((postalPrefix) => ({ geo: { postalPrefix } })),
];

/** Two leaves of one kind under `all`: conditions on one dimension that must be combined, not merged. */
const sameKindPair: fc.Arbitrary<TargetingExpr> = fc
  .constantFrom(...leaves)
  .chain((kind) => fc.tuple(kind, kind))
  .map(([a, b]) => ({ all: [a, b] }));

const leaf: fc.Arbitrary<TargetingExpr> = fc.oneof(...leaves, { arbitrary: sameKindPair, weight: 3 });

function expressions(maxDepth: number): fc.Arbitrary<TargetingExpr> {
  const { expr } = fc.letrec<{ expr: TargetingExpr }>((tie) => ({
    expr: fc.oneof(
      { maxDepth, depthSize: 'small' },
      leaf,
      fc.array(tie('expr'), { maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie('expr'), { maxLength: 3 }).map((any) => ({ any })),
      tie('expr').map((not) => ({ not })),
    ),
  }));
  return expr;
}

/** `minCreatives: 0` lets line items have no creative at all (compile drops dangling creative ids). */
export function lineItems(maxDepth: number, minLength: number, maxLength: number, minCreatives = 0): fc.Arbitrary<LineItemSpec[]> {
  return fc.array(
    fc.record({
      targeting: fc.option(expressions(maxDepth), { nil: null, freq: 8 }),
      formats: fc.subarray(CREATIVE_FORMATS, { minLength: minCreatives, maxLength: 3 }),
      advertiserId: oneOf(ADVERTISERS),
      active: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
      priority: fc.integer({ min: 1, max: 3 }),
      maxCpmMicros: fc.integer({ min: 1, max: 5 }).map((n) => n * 1_000_000),
      baseCpmMicros: fc.integer({ min: 1, max: 8 }).map((n) => n * 500_000),
    }),
    { minLength, maxLength },
  );
}

const membership = fc.oneof(
  { arbitrary: fc.constant({ sinceMs: NOW_MS - HOUR_MS, expiresAtMs: NOW_MS + 8 * 24 * HOUR_MS }), weight: 4 },
  { arbitrary: fc.constant({ sinceMs: NOW_MS - HOUR_MS, expiresAtMs: NOW_MS }), weight: 1 },
  { arbitrary: fc.constant({ sinceMs: NOW_MS + 8 * 24 * HOUR_MS, expiresAtMs: NOW_MS + 9 * 24 * HOUR_MS }), weight: 1 },
);
const segmentKeys = [...SEGMENTS.flatMap((s) => ADVERTISERS.map((a) => segmentKey(s, a))), 'cart', 'cart@adv-c'];

const profile: fc.Arbitrary<ProfileSnapshot | null> = fc.option(
  fc.dictionary(oneOf(segmentKeys), membership, { maxKeys: 6 }).map((segments) => ({ version: 1, updatedAtMs: NOW_MS, segments, conversions: {} })),
  { nil: null },
);

const geo = fc.record(
  { country: oneOf(COUNTRIES), region: oneOf(REGIONS), metro: oneOf(METROS), postal: oneOf(POSTALS), utcOffsetMinutes: fc.constantFrom(-480, 0, 120) },
  { requiredKeys: [] },
);
const device = fc.record({ type: oneOf(DEVICE_TYPES), os: oneOf(OSES), make: oneOf(MAKES) }, { requiredKeys: [] });
const inventory = fc.record(
  { kind: fc.constantFrom('site' as const, 'app' as const, 'unknown' as const), domain: oneOf(HOSTS), bundle: oneOf(BUNDLES), publisherId: oneOf(PUBLISHERS) },
  { requiredKeys: ['kind'] },
);
const keyValues = fc.dictionary(oneOf(KV_KEYS), some(KV_VALUES), { maxKeys: 3 });
/** Memberships are relative to NOW_MS; dayparts see the whole week. */
const nowMs = fc.integer({ min: 0, max: 7 * 24 * HOUR_MS }).map((offset) => (offset < HOUR_MS ? NOW_MS : NOW_MS + offset));

/** An `EvalContext` whose sets are drawn freely (not derived from a slot): the index must hold for any. */
export const context: fc.Arbitrary<EvalContext> = fc
  .record({
    geo,
    device,
    inventory,
    keyValues,
    profile,
    formats: fc.subarray(FORMATS, { minLength: 1 }),
    dealIds: some(DEALS),
    keywords: some(KEYWORDS),
    categories: fc.subarray(CATEGORIES),
    scores: fc.record({ m1: fc.double({ min: 0, max: 1, noNaN: true }), m2: fc.double({ min: 0, max: 1, noNaN: true }) }),
    nowMs,
  })
  .map((r) =>
    contextOf({
      request: { geo: r.geo, device: r.device, inventory: { ...r.inventory, categories: [] } },
      slot: { keyValues: r.keyValues },
      nowMs: r.nowMs,
      profile: r.profile,
      formats: r.formats,
      dealIds: r.dealIds,
      keywords: r.keywords,
      categories: r.categories,
      scores: r.scores,
    }),
  );

const SIZES = [
  { w: 300, h: 250 },
  { w: 728, h: 90 },
  { w: 320, h: 50 },
];

const slot = (id: string): fc.Arbitrary<Slot> =>
  fc
    .record(
      {
        banner: fc.subarray(SIZES, { minLength: 1 }).map((sizes) => ({ sizes, blockedAttributes: [] })),
        video: fc.constantFrom(['video/mp4'], ['video/webm']).map((mimes) => ({ mimes, protocols: [], blockedAttributes: [] })),
        native: fc.constant({ assets: [{ id: 1, required: true, kind: 'title' as const, len: 90 }], blockedAttributes: [] }),
      },
      { requiredKeys: [] },
    )
    .chain((media) =>
      fc.record({
        deals: fc.subarray(DEALS, { maxLength: 2 }).chain((ids) =>
          fc.tuple(...ids.map((dealId) => fc.constantFrom(0, 2_000_000).map((floorMicros) => ({ id: dealId, floorMicros })))),
        ),
        floorMicros: fc.constantFrom(0, 1_500_000, null),
        privateAuction: fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 }),
        keyValues,
      }).map((rest): Slot => ({ id, ...media, ...rest })),
    );

export interface EngineRequest {
  readonly request: RequestContext;
  readonly slots: readonly Slot[];
  readonly profile: ProfileSnapshot | null;
  readonly userHash: string | null;
  readonly nowMs: number;
}

/** A whole request for decide(): context, one or two slots, profile, user hash, time. */
export const engineRequest: fc.Arbitrary<EngineRequest> = fc.record({
  request: fc
    .record({ geo, device, inventory, keywords: some(KEYWORDS), categories: fc.subarray(CATEGORIES) })
    .map(
      (r): RequestContext => ({
        geo: r.geo,
        device: r.device,
        inventory: { ...r.inventory, categories: r.categories },
        keywords: r.keywords,
        auctionType: 2,
        blockedCategories: [],
        blockedDomains: [],
        blockedApps: [],
      }),
    ),
  slots: fc.oneof(fc.tuple(slot('1')), fc.tuple(slot('1'), slot('2'))),
  profile,
  userHash: fc.constantFrom(null, 'user-hash-1', 'user-hash-2'),
  nowMs,
});
