import { describe, expect, it } from 'vitest';
import type { ProfileEventType } from '../model';
import { applyEvent, emptyState, newTouched, type HistoryEvent } from '../profile/profile-state';
import { DAY_MS, HOUR_MS } from '../profile/retention';
import { evaluateMemberships } from './evaluate';
import { definedRules, effectiveRules, SEED_SEGMENT_RULES } from './seed-rules';

const DAY0 = Date.UTC(2026, 10, 23);
const H = (n: number): number => DAY0 + n * HOUR_MS;
const D = (n: number): number => DAY0 + n * DAY_MS;

const ev = (type: ProfileEventType, tsMs: number, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({ id: `${type}-${tsMs}`, type, tsMs, advertiserId: 'adv-a', ...extra });

/** Seed memberships of `adv-a` at `nowMs`, keyed by rule id. */
function segments(events: readonly HistoryEvent[], nowMs: number) {
  const state = emptyState();
  for (const e of events) applyEvent(state, e, nowMs, newTouched());
  const { memberships } = evaluateMemberships(state, SEED_SEGMENT_RULES, {}, nowMs);
  return Object.fromEntries(Object.entries(memberships).map(([k, m]) => [k.replace(/@adv-a$/, ''), m]));
}

describe('seed segments', () => {
  it('product_explorers: the 4th product view in 7 days, until the oldest needed view leaves the window', () => {
    const views = [H(1), H(2), H(3)].map((t) => ev('product_view', t));
    expect(segments(views, H(4)).product_explorers).toBeUndefined();
    const four = [...views, ev('product_view', H(4))];
    expect(segments(four, H(5)).product_explorers).toEqual({ sinceMs: H(5), expiresAtMs: H(1) + 7 * DAY_MS });
    expect(segments([...four, ev('purchase', H(5))], H(6)).product_explorers).toBeUndefined();
  });

  it('cart_abandoners: a cart add in 7 days with no purchase since; a later cart add starts again', () => {
    expect(segments([ev('add_to_cart', H(1))], H(2)).cart_abandoners).toEqual({ sinceMs: H(2), expiresAtMs: H(1) + 7 * DAY_MS });
    expect(segments([ev('add_to_cart', H(1)), ev('purchase', H(2))], H(3)).cart_abandoners).toBeUndefined();
    expect(segments([ev('add_to_cart', H(1)), ev('purchase', H(2)), ev('add_to_cart', H(3))], H(4)).cart_abandoners).toBeDefined();
    // A purchase from another advertiser does not end it.
    expect(segments([ev('add_to_cart', H(1)), ev('purchase', H(2), { advertiserId: 'adv-b' })], H(3)).cart_abandoners).toBeDefined();
  });

  it('past_purchasers: for 90 days after the last purchase', () => {
    expect(segments([ev('purchase', H(1))], H(2)).past_purchasers).toEqual({ sinceMs: H(2), expiresAtMs: H(1) + 90 * DAY_MS });
  });

  it('deal_seekers: three views of the deals category in 14 days', () => {
    const deals = (n: number) => Array.from({ length: n }, (_, i) => ev('product_view', H(i + 1), { category: 'deals' }));
    expect(segments(deals(2), H(5)).deal_seekers).toBeUndefined();
    expect(segments(deals(3), H(5)).deal_seekers).toEqual({ sinceMs: H(5), expiresAtMs: D(14) });
    expect(segments([1, 2, 3].map((i) => ev('page_view', H(i), { category: 'deals' })), H(5)).deal_seekers).toBeDefined();
  });

  it('loyal_buyers: three purchases in 90 days, kept 30 days after dropping below', () => {
    const buys = [ev('purchase', D(0)), ev('purchase', D(10)), ev('purchase', D(20))];
    expect(segments(buys.slice(0, 2), D(21)).loyal_buyers).toBeUndefined();
    // Day buckets: the first purchase's day leaves the 90-day window at D(90); then 30 days of TTL.
    expect(segments(buys, D(21)).loyal_buyers).toEqual({ sinceMs: D(21), expiresAtMs: D(90) + 30 * DAY_MS });
  });

  it('high_value_buyers: purchases worth 500 or more in 90 days', () => {
    const buy = (value: number, t: number) => ev('purchase', t, { valueMicros: value * 1_000_000 });
    expect(segments([buy(499, H(1))], H(2)).high_value_buyers).toBeUndefined();
    expect(segments([buy(250, H(1)), buy(250, D(30))], D(31)).high_value_buyers).toEqual({ sinceMs: D(31), expiresAtMs: D(90) });
  });
});

describe('paused rules', () => {
  const pausedCart = SEED_SEGMENT_RULES.map((r) => (r.id === 'cart_abandoners' ? { ...r, status: 'paused' as const } : r));

  it('are defined (segments stay targetable) but not in force; absent status is active', () => {
    expect(definedRules(pausedCart).map((r) => r.id)).toContain('cart_abandoners');
    expect(effectiveRules(pausedCart).map((r) => r.id)).not.toContain('cart_abandoners');
    expect(effectiveRules(pausedCart)).toHaveLength(SEED_SEGMENT_RULES.length - 1);
    expect(effectiveRules(undefined)).toEqual(SEED_SEGMENT_RULES);
  });

  it('are not evaluated, so their memberships lapse while the others are kept', () => {
    const state = emptyState();
    for (const e of [ev('add_to_cart', H(1)), ev('purchase', H(0))]) applyEvent(state, e, H(2), newTouched());
    const active = evaluateMemberships(state, effectiveRules(SEED_SEGMENT_RULES), {}, H(2)).memberships;
    expect(Object.keys(active)).toEqual(expect.arrayContaining(['cart_abandoners@adv-a', 'past_purchasers@adv-a']));
    const after = evaluateMemberships(state, effectiveRules(pausedCart), active, H(3)).memberships;
    expect(after['cart_abandoners@adv-a']).toBeUndefined();
    expect(after['past_purchasers@adv-a']).toEqual(active['past_purchasers@adv-a']);
  });
});
