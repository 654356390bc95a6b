import { describe, expect, it } from 'vitest';
import type { TargetingExpr } from '../model';
import { segmentKey } from '../segments/segment-key';
import { buildCandidateIndex, candidates } from './candidate-index';
import { activeSegments, catalogOf, contextOf, linearMatches, type ContextSpec, type LineItemSpec } from './index-test-support';

const NOW_MS = 1_750_000_000_000;

/** Candidates for each context, checked against the linear scan (superset, ascending) on the way. */
function run(specs: readonly LineItemSpec[], ...contexts: ContextSpec[]): number[][] {
  const catalog = catalogOf(specs);
  return contexts.map((spec) => {
    const ctx = contextOf({ nowMs: NOW_MS, ...spec });
    const got = [...candidates(catalog.index, ctx)];
    expect(got).toEqual([...got].sort((a, b) => a - b));
    expect(new Set(got).size).toBe(got.length);
    for (const pos of linearMatches(catalog, ctx)) expect(got).toContain(pos);
    return got;
  });
}

describe('candidates', () => {
  it('returns nothing for an empty catalog', () => {
    expect(run([], {})).toEqual([[]]);
  });

  it('keeps untargeted line items whose creatives fit, drops paused ones and ones with no fitting creative', () => {
    const specs: LineItemSpec[] = [
      { targeting: null },
      { targeting: null, active: false },
      { targeting: null, formats: ['728x90'] },
      { targeting: null, formats: ['video', '728x90'] },
      { targeting: null, formats: [] },
    ];
    expect(run(specs, { formats: ['banner', '300x250'] }, { formats: ['video'] }, { formats: ['banner', '728x90', '300x250'] })).toEqual([
      [0],
      [3],
      [0, 2, 3],
    ]);
  });

  it('matches countries case-insensitively on the catalog side, as the predicate does', () => {
    const specs: LineItemSpec[] = [{ targeting: { geo: { country: ['usa', 'GBR'] } } }, { targeting: { geo: { country: ['DEU'] } } }];
    expect(run(specs, { request: { geo: { country: 'USA' } } }, { request: { geo: {} } }, { request: { geo: { country: 'DEU' } } })).toEqual([
      [0],
      [],
      [1],
    ]);
  });

  it('treats a site domain as matching its subdomains and nothing that merely ends with it', () => {
    const specs: LineItemSpec[] = [{ targeting: { site: { domain: ['News.example'] } } }, { targeting: { app: { bundle: ['com.News'] } } }];
    const site = (domain: string): ContextSpec => ({ request: { inventory: { kind: 'site', domain, categories: [] } } });
    expect(
      run(
        specs,
        site('news.example'),
        site('www.news.example'),
        site('badnews.example'),
        { request: { inventory: { kind: 'app', domain: 'news.example', bundle: 'COM.NEWS', categories: [] } } },
      ),
    ).toEqual([[0], [0], [], [1]]);
  });

  it("uses only the profile's active memberships in the line item's own advertiser's segments", () => {
    const specs: LineItemSpec[] = [
      { targeting: { segment: 'cart' }, advertiserId: 'adv-a' },
      { targeting: { segment: 'cart' }, advertiserId: 'adv-b' },
    ];
    const expired = {
      ...activeSegments(NOW_MS, []),
      segments: { [segmentKey('cart', 'adv-a')]: { sinceMs: NOW_MS - 10, expiresAtMs: NOW_MS } },
    };
    expect(
      run(
        specs,
        { profile: activeSegments(NOW_MS, [segmentKey('cart', 'adv-a')]) },
        { profile: activeSegments(NOW_MS, [segmentKey('cart', 'adv-b'), 'cart']) },
        { profile: expired },
        { profile: null },
      ),
    ).toEqual([[0], [1], [], []]);
  });

  it('constrains `any` only on what every branch constrains, and intersects single values under `all`', () => {
    const specs: LineItemSpec[] = [
      // Either branch may hold: the index cannot rule this out by country or segment.
      { targeting: { any: [{ segment: 'cart' }, { geo: { country: ['USA'] } }] } },
      // Both branches name a country: the union is a condition.
      { targeting: { any: [{ geo: { country: ['USA'] } }, { all: [{ geo: { country: ['GBR'] } }, { segment: 'x' }] }] } },
      // USA and GBR at once: never.
      { targeting: { all: [{ geo: { country: ['USA'] } }, { geo: { country: ['GBR'] } }] } },
      // A double negation is the expression itself.
      { targeting: { not: { not: { geo: { country: ['GBR'] } } } } },
      // A negation says nothing positive.
      { targeting: { not: { geo: { country: ['GBR'] } } } },
    ];
    expect(run(specs, { request: { geo: { country: 'DEU' } } }, { request: { geo: { country: 'GBR' } } })).toEqual([
      [0, 4],
      [0, 1, 3, 4],
    ]);
  });

  it('keeps `all` of two values of an attribute the request carries several of (segments, domains, keywords …)', () => {
    const both = (expr: TargetingExpr, other: TargetingExpr): LineItemSpec => ({ targeting: { all: [expr, other] }, advertiserId: 'adv-a' });
    const specs: LineItemSpec[] = [
      both({ segment: 'cart' }, { segment: 'explorer' }),
      both({ site: { domain: ['news.example'] } }, { site: { domain: ['example'] } }),
      both({ keywords: ['a'] }, { keywords: ['b'] }),
      both({ site: { category: ['IAB1'] } }, { site: { category: ['IAB2'] } }),
      both({ geo: { postalPrefix: ['9'] } }, { geo: { postalPrefix: ['941'] } }),
      both({ deal: ['d1'] }, { deal: ['d2'] }),
      both({ format: ['banner'] }, { format: ['300x250'] }),
      both({ keyValues: { pos: ['atf'] } }, { keyValues: { section: ['home'] } }),
    ];
    const ctx: ContextSpec = {
      request: { geo: { postal: '94107' }, inventory: { kind: 'site', domain: 'www.news.example', categories: [] } },
      slot: { keyValues: { pos: ['atf'], section: ['home'] } },
      profile: activeSegments(NOW_MS, [segmentKey('cart', 'adv-a'), segmentKey('explorer', 'adv-a')]),
      keywords: ['a', 'b'],
      categories: ['IAB1', 'IAB2'],
      dealIds: ['d1', 'd2'],
    };
    expect(run(specs, ctx)).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]]);
  });

  it('reads key-values, deals, keywords, categories, postal prefixes and device fields like the predicate', () => {
    const specs: LineItemSpec[] = [
      { targeting: { keyValues: { 'pos:1': ['atf'], '3:x': ['y'] } } },
      { targeting: { deal: ['d-1'] } },
      { targeting: { keywords: ['Tents'] } },
      { targeting: { site: { category: ['IAB17'] } } },
      { targeting: { geo: { postalPrefix: ['sw1 a'] } } },
      { targeting: { device: { type: [4], os: ['iOS'], make: ['Apple'] } } },
      { targeting: { format: ['video'] }, formats: ['video'] },
    ];
    const everything: ContextSpec = {
      request: {
        geo: { postal: 'SW1A1AA' },
        device: { type: 4, os: 'ios', make: 'apple' },
        inventory: { kind: 'site', domain: 'a.example', categories: [] },
      },
      slot: { keyValues: { 'pos:1': ['atf'], '3:x': ['y'] } },
      dealIds: ['d-1'],
      keywords: ['tents'],
      categories: ['IAB17'],
      formats: ['banner', '300x250', 'video'],
    };
    const nothing: ContextSpec = {
      request: { geo: { postal: 'SW2' }, device: { type: 4, os: 'android' }, inventory: { kind: 'site', categories: ['IAB17'] } },
      // The key and value must come from the same pair: `pos:1` → `3:x` is not `pos:1` → `atf`.
      slot: { keyValues: { 'pos:1': ['y'], '3:x': ['atf'] } },
      dealIds: ['d-2'],
      keywords: ['Tents'],
      formats: ['native'],
    };
    expect(run(specs, everything, nothing)).toEqual([[0, 1, 2, 3, 4, 5, 6], []]);
  });

  it('finds line items across many words, from dense and sparse postings alike', () => {
    const countries = ['USA', 'GBR', 'DEU', 'FRA'];
    // USA is on every other line item (a bitset), DEU on one in fifty (a list).
    const specs: LineItemSpec[] = Array.from({ length: 1_000 }, (_, i) => ({
      targeting: { geo: { country: i % 2 === 0 ? ['USA'] : i % 50 === 1 ? ['DEU'] : [countries[i % 4] ?? 'FRA', 'GBR'] } },
    }));
    const catalog = catalogOf(specs);
    const got = (country: string): readonly number[] => candidates(catalog.index, contextOf({ request: { geo: { country } } }));
    const want = (country: string): number[] =>
      catalog.lineItems.filter((li) => li.targeting(contextOf({ request: { geo: { country } } }))).map((li) => li.pos);
    for (const country of ['DEU', 'USA', 'GBR', 'FRA', 'ITA', 'DEU']) expect(got(country)).toEqual(want(country));
    expect(got('DEU')).toHaveLength(20);
    expect(got('USA')).toHaveLength(500);
  });

  it('gives the same answer when called again after other requests (the scratch space is reset)', () => {
    const specs: LineItemSpec[] = Array.from({ length: 100 }, (_, i) => ({
      targeting: i % 3 === 0 ? { geo: { country: ['USA'] } } : { segment: `s${i % 5}` },
      advertiserId: 'adv-a',
    }));
    const usa: ContextSpec = { request: { geo: { country: 'USA' } } };
    const s1: ContextSpec = { profile: activeSegments(NOW_MS, [segmentKey('s1', 'adv-a')]) };
    const [first, , again] = run(specs, usa, s1, usa);
    expect(again).toEqual(first);
    expect(first).toHaveLength(34);
  });

  it('with `anyFormat`, also returns line items none of whose creatives fits, and ones without creatives', () => {
    const specs: LineItemSpec[] = [
      { targeting: null, formats: ['728x90'] },
      { targeting: null, formats: [] },
      { targeting: { geo: { country: ['USA'] } }, formats: ['video'] },
      { targeting: null, formats: ['300x250'], active: false },
    ];
    const catalog = catalogOf(specs);
    const ctx = contextOf({ formats: ['banner', '300x250'], request: { geo: { country: 'GBR' } } });
    expect(candidates(catalog.index, ctx)).toEqual([]);
    expect(candidates(catalog.index, ctx, { anyFormat: true })).toEqual([0, 1]);
  });

  it('is built by compileCatalog, and can be rebuilt from the compiled line items', () => {
    const catalog = catalogOf([{ targeting: { geo: { country: ['USA'] } } }, { targeting: null }]);
    const ctx = contextOf({ request: { geo: { country: 'GBR' } } });
    expect(candidates(buildCandidateIndex(catalog.lineItems), ctx)).toEqual(candidates(catalog.index, ctx));
    expect(candidates(catalog.index, ctx)).toEqual([1]);
  });
});
