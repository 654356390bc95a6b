import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../profile/retention';
import { durationMs, segmentRuleSchema, segmentRulesSchema } from './rule-schema';
import { effectiveRules, SEED_SEGMENT_RULES } from './seed-rules';

const issues = (input: unknown) => {
  const r = segmentRuleSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('segment rule schema', () => {
  it('accepts every seed rule unchanged', () => {
    for (const rule of SEED_SEGMENT_RULES) expect(segmentRuleSchema.parse(rule)).toEqual(rule);
    expect(segmentRulesSchema.safeParse(SEED_SEGMENT_RULES).success).toBe(true);
  });

  it('keeps the ids the demo catalog targets', () => {
    expect(SEED_SEGMENT_RULES.map((r) => r.id)).toEqual(
      expect.arrayContaining(['cart_abandoners', 'product_explorers', 'past_purchasers', 'deal_seekers', 'loyal_buyers', 'high_value_buyers']),
    );
  });

  it('parses durations in hours up to a week and days up to 90', () => {
    expect(durationMs('1h')).toBe(HOUR_MS);
    expect(durationMs('168h')).toBe(7 * DAY_MS);
    expect(durationMs('90d')).toBe(90 * DAY_MS);
    for (const bad of ['0h', '169h', '91d', '7w', '1.5d', ' 7d', '07d', '']) expect(durationMs(bad)).toBeNull();
  });

  it('names the field of each problem', () => {
    expect(issues({ id: 'x', when: { count: { type: 'product_view' }, window: '8w', op: '>', value: 3 } })).toEqual([
      { path: 'when.window', message: 'must be "<n>h" (1–168 hours) or "<n>d" (1–90 days)' },
    ]);
    expect(issues({ id: 'x', when: { count: { type: 'product_view' }, window: '7d' } }).map((i) => i.path).sort()).toEqual(['when.op', 'when.value']);
    expect(issues({ id: 'x', when: { last: { type: 'purchase' }, within: '7d', op: '>' } })).toEqual([{ path: 'when.op', message: 'not allowed with "last"' }]);
    expect(issues({ id: 'x', when: { count: { type: 'purchase' }, last: { type: 'purchase' }, window: '1d', op: '>', value: 1 } })[0]?.message).toMatch(
      /exactly one operator/,
    );
    expect(issues({ id: 'x', when: { none: { type: 'purchase' } } })[0]?.message).toMatch(/exactly one of "within" or "sinceLast"/);
    expect(issues({ id: 'x', when: { none: { type: 'purchase' }, within: '1d', sinceLast: { type: 'add_to_cart' } } })[0]?.message).toMatch(
      /exactly one of/,
    );
    expect(issues({ id: 'x', when: { last: { type: 'teleport' }, within: '1d' } })[0]?.path).toBe('when.last.type');
    expect(issues({ id: 'x', when: { last: { type: 'product_view', productId: 'p', category: 'c' }, within: '1d' } })[0]?.message).toMatch(/not both/);
    expect(issues({ id: 'Has Space', when: { last: { type: 'purchase' }, within: '1d' } })[0]?.path).toBe('id');
    expect(issues({ id: 'x', advertiserId: 'a@b', when: { last: { type: 'purchase' }, within: '1d' } })[0]?.path).toBe('advertiserId');
    expect(issues({ id: 'x', when: { last: { type: 'purchase' }, within: '1d' }, membershipTtl: '100d' })[0]?.path).toBe('membershipTtl');
  });

  it('refuses nesting deeper than 8 levels without walking a hostile document to its end', () => {
    let deep: unknown = { last: { type: 'purchase' }, within: '1d' };
    for (let i = 0; i < 7; i++) deep = { not: deep };
    expect(issues({ id: 'x', when: deep })).toEqual([]);
    for (let i = 0; i < 10_000; i++) deep = { not: deep };
    expect(issues({ id: 'x', when: deep })[0]?.message).toMatch(/nest at most 8/);
  });

  it('refuses the same id twice for the same advertiser scope, but allows an advertiser override of a global rule', () => {
    const rule = { id: 'x', when: { last: { type: 'purchase' }, within: '1d' } };
    expect(segmentRulesSchema.safeParse([rule, { ...rule, advertiserId: 'adv-a' }]).success).toBe(true);
    const dup = segmentRulesSchema.safeParse([rule, rule]);
    expect(dup.success).toBe(false);
    expect(dup.error?.issues[0]?.path).toEqual([1, 'id']);
  });

  it('defaults to the seed set only when the catalog has no list', () => {
    expect(effectiveRules(undefined)).toBe(SEED_SEGMENT_RULES);
    expect(effectiveRules([])).toEqual([]);
  });
});
