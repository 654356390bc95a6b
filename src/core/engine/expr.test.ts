import { describe, expect, it } from 'vitest';
import type { ProfileSnapshot, TargetingExpr } from '../model';
import { compileExpr, dealIdsOf, domainMatches, type EvalContext } from './expr';
import type { RequestContext, Slot } from './request-context';

// 2025-06-15T15:06:40Z, a Sunday.
const NOW = 1_750_000_000_000;

const request: RequestContext = {
  geo: { country: 'USA', region: 'CA', metro: '807', postal: '94107', utcOffsetMinutes: -420 },
  device: { type: 4, os: 'ios', make: 'apple' },
  inventory: { kind: 'site', domain: 'www.news.example', publisherId: 'pub-1', categories: ['IAB12', 'IAB12-3'] },
  keywords: ['hiking', 'tents'],
  auctionType: 2,
  blockedCategories: [],
  blockedDomains: [],
  blockedApps: [],
};
const slot: Slot = { id: '1', floorMicros: 0, deals: [{ id: 'deal-1', floorMicros: 0 }], privateAuction: false, keyValues: { section: ['sports', 'news'] } };
const profile: ProfileSnapshot = {
  version: 1,
  updatedAtMs: NOW,
  segments: {
    'cart_abandoners@adv': { sinceMs: NOW - 1000, expiresAtMs: NOW + 1000 },
    'lapsed@adv': { sinceMs: NOW - 2000, expiresAtMs: NOW },
    'cart_abandoners@other': { sinceMs: 0, expiresAtMs: NOW + 1000 },
  },
  conversions: {},
};

function ctx(over: Partial<EvalContext> = {}): EvalContext {
  return {
    request,
    slot,
    nowMs: NOW,
    profile,
    formats: new Set(['banner', '300x250', 'video']),
    dealIds: new Set(slot.deals.map((d) => d.id)),
    keywords: new Set(request.keywords),
    categories: new Set(request.inventory.categories),
    score: (m) => (m === 'lal' ? 0.75 : null),
    ...over,
  };
}

const holds = (e: TargetingExpr, c: EvalContext = ctx()): boolean => compileExpr(e, 'adv')(c);

describe('targeting leaves', () => {
  it("segment: a live membership of the line item's own advertiser", () => {
    expect(holds({ segment: 'cart_abandoners' })).toBe(true);
    expect(compileExpr({ segment: 'cart_abandoners' }, 'third')(ctx())).toBe(false);
    // Expiry is exclusive: a membership that ends now is over.
    expect(holds({ segment: 'lapsed' })).toBe(false);
    expect(holds({ segment: 'cart_abandoners' }, ctx({ profile: null }))).toBe(false);
  });
  it('geo: every given field must match, lists are any-of, case-insensitive', () => {
    expect(holds({ geo: { country: ['usa', 'CAN'] } })).toBe(true);
    expect(holds({ geo: { country: ['USA'], region: ['ny'] } })).toBe(false);
    expect(holds({ geo: { metro: ['807'] } })).toBe(true);
    expect(holds({ geo: { postalPrefix: ['941'] } })).toBe(true);
    expect(holds({ geo: { postalPrefix: ['10'] } })).toBe(false);
    expect(holds({ geo: { metro: ['807'] } }, ctx({ request: { ...request, geo: { country: 'USA' } } }))).toBe(false);
  });
  it('device: type, os and make', () => {
    expect(holds({ device: { type: [4, 5], os: ['iOS'] } })).toBe(true);
    expect(holds({ device: { make: ['Samsung'] } })).toBe(false);
  });
  it("daypart: hours and weekdays at the user's offset, or at a fixed one", () => {
    // 15:06 UTC Sunday is 08:06 Sunday at UTC-7.
    expect(holds({ daypart: { hours: [8], weekdays: [0] } })).toBe(true);
    expect(holds({ daypart: { hours: [15] } })).toBe(false);
    expect(holds({ daypart: { hours: [15], utcOffsetMinutes: 0 } })).toBe(true);
    // 15:06 UTC Sunday is 00:06 Monday at UTC+9: the weekday rolls over with the hour.
    expect(holds({ daypart: { hours: [0], weekdays: [1], utcOffsetMinutes: 540 } })).toBe(true);
  });
  it('daypart: an unknown local time does not match', () => {
    const noOffset = ctx({ request: { ...request, geo: { country: 'USA' } } });
    expect(holds({ daypart: { hours: [...Array(24).keys()] } }, noOffset)).toBe(false);
  });
  it('site: domain with its subdomains, category, publisher; app needs an app', () => {
    expect(holds({ site: { domain: ['news.example'] } })).toBe(true);
    expect(holds({ site: { domain: ['ews.example'] } })).toBe(false);
    expect(holds({ site: { category: ['IAB12-3'], publisher: ['pub-1'] } })).toBe(true);
    expect(holds({ app: { publisher: ['pub-1'] } })).toBe(false);
    const app = ctx({ request: { ...request, inventory: { kind: 'app', bundle: 'com.game.app', categories: [] } } });
    expect(holds({ app: { bundle: ['COM.GAME.APP'] } }, app)).toBe(true);
  });
  it('keywords, key-values, deals, scores and formats', () => {
    expect(holds({ keywords: ['Hiking'] })).toBe(true);
    expect(holds({ keyValues: { section: ['sports'] } })).toBe(true);
    expect(holds({ keyValues: { section: ['sports'], team: ['x'] } })).toBe(false);
    // Regression: a key named like an Object.prototype member is just an absent key.
    expect(holds({ keyValues: { constructor: ['x'] } })).toBe(false);
    expect(holds({ keyValues: { toString: ['x'] } })).toBe(false);
    expect(holds({ deal: ['deal-2', 'deal-1'] })).toBe(true);
    expect(holds({ score: { model: 'lal', atLeast: 0.75 } })).toBe(true);
    expect(holds({ score: { model: 'lal', atLeast: 0.8 } })).toBe(false);
    expect(holds({ score: { model: 'unknown', atLeast: 0 } })).toBe(false);
    expect(holds({ format: ['native', '300x250'] })).toBe(true);
    expect(holds({ format: ['728x90'] })).toBe(false);
  });
  it('all, any and not compose', () => {
    const usOrUk = { any: [{ geo: { country: ['USA'] } }, { geo: { country: ['GBR'] } }] };
    expect(holds({ all: [usOrUk, { not: { segment: 'lapsed' } }] })).toBe(true);
    expect(holds({ all: [usOrUk, { not: { segment: 'cart_abandoners' } }] })).toBe(false);
  });
});

describe('dealIdsOf', () => {
  it('collects deals outside `not`', () => {
    expect(dealIdsOf({ all: [{ deal: ['a'] }, { any: [{ deal: ['b'] }, { not: { deal: ['c'] } }] }] })).toEqual(['a', 'b']);
    expect(dealIdsOf(null)).toEqual([]);
  });
});

describe('domainMatches', () => {
  it('matches the domain and its subdomains only', () => {
    expect(domainMatches('example.com', 'example.com')).toBe(true);
    expect(domainMatches('a.b.example.com', 'example.com')).toBe(true);
    expect(domainMatches('badexample.com', 'example.com')).toBe(false);
  });
});
