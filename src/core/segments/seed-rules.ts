/**
 * The segments every catalog starts with, and the defaulting rule: a catalog without
 * `segmentRules` gets these; a catalog with them gets exactly its own (an empty list switches
 * real-time segments off). `cart_abandoners` and `product_explorers` are what the demo catalog's
 * line items target.
 */
import type { SegmentRule } from './rule-schema';

export const SEED_SEGMENT_RULES: readonly SegmentRule[] = [
  {
    id: 'product_explorers',
    name: 'Product explorers: more than 3 product views in 7 days, no purchase in them',
    when: {
      all: [
        { count: { type: 'product_view' }, window: '7d', op: '>', value: 3 },
        { none: { type: 'purchase' }, within: '7d' },
      ],
    },
  },
  {
    id: 'cart_abandoners',
    name: 'Cart abandoners: a cart add in the last 7 days and no purchase since',
    when: {
      all: [
        { last: { type: 'add_to_cart' }, within: '7d' },
        { none: { type: 'purchase' }, sinceLast: { type: 'add_to_cart' } },
      ],
    },
  },
  {
    id: 'past_purchasers',
    name: 'Past purchasers: bought in the last 90 days',
    when: { last: { type: 'purchase' }, within: '90d' },
  },
  {
    id: 'deal_seekers',
    name: 'Deal seekers: at least 3 views of the "deals" category in 14 days',
    when: {
      any: [
        { count: { type: 'product_view', category: 'deals' }, window: '14d', op: '>=', value: 3 },
        { count: { type: 'page_view', category: 'deals' }, window: '14d', op: '>=', value: 3 },
      ],
    },
  },
  {
    id: 'loyal_buyers',
    name: 'Loyal buyers: 3 or more purchases in 90 days (kept 30 days after dropping below)',
    when: { count: { type: 'purchase' }, window: '90d', op: '>=', value: 3 },
    membershipTtl: '30d',
  },
  {
    id: 'high_value_buyers',
    name: 'High-value buyers: purchases worth 500 or more in 90 days',
    when: { sum: { type: 'purchase' }, window: '90d', op: '>=', micros: 500_000_000 },
  },
];

/** The rules a catalog defines, paused ones included: its own when it has any list, else the seed set. */
export function definedRules(catalogRules: readonly SegmentRule[] | undefined): readonly SegmentRule[] {
  return catalogRules ?? SEED_SEGMENT_RULES;
}

/** The rules in force for a catalog: the defined ones minus paused ones, whose memberships then lapse. */
export function effectiveRules(catalogRules: readonly SegmentRule[] | undefined): readonly SegmentRule[] {
  const defined = definedRules(catalogRules);
  // Nothing paused (the usual case): the defined list itself, no copy per compile.
  return defined.some((r) => r.status === 'paused') ? defined.filter((r) => r.status !== 'paused') : defined;
}
