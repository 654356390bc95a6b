import { describe, expect, it } from 'vitest';
import type { TargetingExpr } from '../model';
import { keyValuePair, lineItemConditions, splitKeyValuePair, targetingConditions, type MaybeConditions } from './index-conditions';

/** Conditions as a plain object of sorted value lists, for readable expectations. */
function plain(c: MaybeConditions): Record<string, (string | number)[]> | null {
  if (c === null) return null;
  return Object.fromEntries([...c].map(([dim, values]) => [dim, [...values].sort()]));
}

const of = (expr: TargetingExpr) => plain(targetingConditions(expr, 'adv-a'));

describe('targetingConditions', () => {
  it('folds case the way the predicate does and keys segments by the advertiser', () => {
    expect(of({ geo: { country: ['usa'], region: ['us-ca'], metro: ['501'], postalPrefix: ['sw1 a'] } })).toEqual({
      country: ['USA'],
      region: ['US-CA'],
      metro: ['501'],
      postal: ['SW1A'],
    });
    expect(of({ device: { type: [4, 5], os: ['iOS'], make: ['Apple'] } })).toEqual({ deviceType: [4, 5], os: ['ios'], make: ['apple'] });
    expect(of({ app: { bundle: ['Com.X'], category: ['IAB1'], publisher: ['P'] } })).toEqual({
      inventoryKind: ['app'],
      bundle: ['com.x'],
      category: ['IAB1'],
      publisher: ['P'],
    });
    expect(of({ segment: 'cart' })).toEqual({ segment: ['cart@adv-a'] });
  });

  it('gives no condition for negations, dayparts and scores, and none for an empty geo', () => {
    expect(of({ not: { segment: 'cart' } })).toEqual({});
    expect(of({ daypart: { hours: [9] } })).toEqual({});
    expect(of({ score: { model: 'm', atLeast: 0.5 } })).toEqual({});
    expect(of({ geo: {} })).toEqual({});
    expect(of({ not: { not: { deal: ['d'] } } })).toEqual({ deal: ['d'] });
  });

  it('marks what can never hold: an empty list, an empty `any`, disjoint single values under `all`', () => {
    expect(of({ keywords: [] })).toBeNull();
    expect(of({ geo: { country: ['USA'], region: [] } })).toBeNull();
    expect(of({ any: [] })).toBeNull();
    expect(of({ all: [{ device: { type: [1, 2] } }, { device: { type: [3] } }] })).toBeNull();
    expect(of({ keyValues: { pos: [] } })).toBeNull();
  });

  it('intersects single-valued dimensions and keeps the narrower multi-valued condition under `all`', () => {
    expect(
      of({
        all: [
          { device: { type: [1, 2, 4] } },
          { device: { type: [2, 4, 5] } },
          { keywords: ['a', 'b', 'c'] },
          { keywords: ['d'] },
          { all: [] },
        ],
      }),
    ).toEqual({ deviceType: [2, 4], keyword: ['d'] });
  });

  it('keeps under `any` only dimensions every satisfiable branch constrains, as the union', () => {
    expect(
      of({
        any: [
          { all: [{ geo: { country: ['USA'] } }, { segment: 's' }] },
          { geo: { country: ['GBR'], region: ['GB-ENG'] } },
          // Never holds, so it cannot widen anything.
          { keywords: [] },
        ],
      }),
    ).toEqual({ country: ['GBR', 'USA'] });
  });

  it('turns key-values into pairs that cannot be confused whatever the key holds', () => {
    expect(of({ keyValues: { pos: ['atf', 'btf'], 'a:b': ['c'] } })).toEqual({ keyValue: [keyValuePair('a:b', 'c')] });
    expect(keyValuePair('a:b', 'c')).not.toBe(keyValuePair('a', 'b:c'));
    for (const [k, v] of [['a:b', 'c'], ['', ''], ['3:x', '1:'], ['k', '']] as const) expect(splitKeyValuePair(keyValuePair(k, v))).toEqual([k, v]);
    expect(of({ keyValues: {} })).toEqual({});
  });
});

describe('lineItemConditions', () => {
  it('adds the format keys of the creatives (none without creatives), and is null only for targeting that never holds', () => {
    const base = { id: 'c', advertiserId: 'adv-a', clickUrl: 'https://x.example/', categories: [], attributes: [], weight: 1 };
    const c = lineItemConditions({ format: ['banner'] }, 'adv-a', [
      { ...base, format: 'banner', w: 300, h: 250, markup: '' },
      { ...base, format: 'native', title: 't' },
      { ...base, id: 'c2', format: 'banner', w: 300, h: 250, markup: '' },
    ]);
    expect(plain(c?.targeting ?? null)).toEqual({ formatTarget: ['banner'] });
    expect([...(c?.formats ?? [])].sort()).toEqual(['300x250', 'native']);
    expect(lineItemConditions(null, 'adv-a', [])?.formats.size).toBe(0);
    expect(lineItemConditions({ any: [] }, 'adv-a', [{ ...base, format: 'native', title: 't' }])).toBeNull();
  });
});
