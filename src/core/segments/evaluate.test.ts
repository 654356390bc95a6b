import { describe, expect, it } from 'vitest';
import type { ProfileEventType } from '../model';
import { applyEvent, emptyState, newTouched, type HistoryEvent, type ProfileState } from '../profile/profile-state';
import { DAY_MS, HOUR_MS, RETENTION_MS } from '../profile/retention';
import { evalExpr, evaluateMemberships, nextFlip, seriesOf } from './evaluate';
import type { RuleExpr, SegmentRule } from './rule-schema';

const DAY0 = Date.UTC(2026, 10, 23);
const H = (n: number): number => DAY0 + n * HOUR_MS;
const ADV = 'adv-acme';

let seq = 0;
function ev(type: ProfileEventType, tsMs: number, extra: Partial<HistoryEvent> = {}): HistoryEvent {
  return { id: `e${seq++}`, type, tsMs, advertiserId: ADV, ...extra };
}

function stateOf(events: readonly HistoryEvent[], nowMs = Math.max(...events.map((e) => e.tsMs))): ProfileState {
  const s = emptyState();
  const touched = newTouched();
  for (const e of events) applyEvent(s, e, nowMs, touched);
  return s;
}

const at = (expr: RuleExpr, state: ProfileState, t: number, adv = ADV): boolean => evalExpr(expr, seriesOf(state, adv), t);

describe('rule operators', () => {
  const views = stateOf([ev('product_view', H(1)), ev('product_view', H(2)), ev('product_view', H(2) + 1), ev('product_view', H(3), { category: 'tents' })]);
  const count = (op: '>' | '>=' | '<' | '<=' | '=', value: number): RuleExpr => ({ count: { type: 'product_view' }, window: '1d', op, value });

  it('compares counts with every operator', () => {
    const t = H(4);
    expect([count('>', 3), count('>', 4)].map((e) => at(e, views, t))).toEqual([true, false]);
    expect([count('>=', 4), count('>=', 5)].map((e) => at(e, views, t))).toEqual([true, false]);
    expect([count('<', 5), count('<', 4)].map((e) => at(e, views, t))).toEqual([true, false]);
    expect([count('<=', 4), count('<=', 3)].map((e) => at(e, views, t))).toEqual([true, false]);
    expect([count('=', 4), count('=', 3)].map((e) => at(e, views, t))).toEqual([true, false]);
  });

  it('counts a window up to its exact edge, bucket by bucket', () => {
    // The 01:00 bucket leaves a 1-day window at 01:00 the next day; the two 02:00 views an hour later.
    expect(at(count('=', 4), views, H(25) - 1)).toBe(true);
    expect(at(count('=', 3), views, H(25))).toBe(true);
    expect(at(count('=', 1), views, H(26))).toBe(true);
    expect(at(count('=', 0), views, H(27))).toBe(true);
  });

  it('filters by category and product', () => {
    const byCat: RuleExpr = { count: { type: 'product_view', category: 'tents' }, window: '1d', op: '=', value: 1 };
    expect(at(byCat, views, H(4))).toBe(true);
    const state = stateOf([ev('add_to_cart', H(1), { productId: 'tent-2p' }), ev('add_to_cart', H(2), { productId: 'stove' })]);
    expect(at({ count: { type: 'add_to_cart', productId: 'tent-2p' }, window: '1d', op: '=', value: 1 }, state, H(3))).toBe(true);
    expect(at({ last: { type: 'add_to_cart', productId: 'lamp' }, within: '1d' }, state, H(3))).toBe(false);
  });

  it('sums values over a window (micros), with the threshold exactly at the boundary', () => {
    const state = stateOf([ev('purchase', H(1), { valueMicros: 300_000_000 }), ev('purchase', DAY0 + 40 * DAY_MS, { valueMicros: 200_000_000 })]);
    const rich: RuleExpr = { sum: { type: 'purchase' }, window: '90d', op: '>=', micros: 500_000_000 };
    expect(at(rich, state, DAY0 + 40 * DAY_MS)).toBe(true);
    expect(at({ ...rich, micros: 500_000_001 }, state, DAY0 + 40 * DAY_MS)).toBe(false);
    // Day buckets beyond a week: the first purchase's day leaves the 90-day window at DAY0 + 90 days.
    expect(at(rich, state, DAY0 + 90 * DAY_MS - 1)).toBe(true);
    expect(at(rich, state, DAY0 + 90 * DAY_MS)).toBe(false);
  });

  it('measures recency and absence on exact times', () => {
    const state = stateOf([ev('purchase', H(5) + 123)]);
    const recent: RuleExpr = { last: { type: 'purchase' }, within: '2h' };
    const absent: RuleExpr = { none: { type: 'purchase' }, within: '2h' };
    expect(at(recent, state, H(7) + 122)).toBe(true);
    expect(at(recent, state, H(7) + 123)).toBe(false);
    expect(at(absent, state, H(7) + 122)).toBe(false);
    expect(at(absent, state, H(7) + 123)).toBe(true);
    expect(at({ last: { type: 'add_to_cart' }, within: '2h' }, state, H(6))).toBe(false);
    expect(at({ none: { type: 'add_to_cart' }, within: '2h' }, state, H(6))).toBe(true);
  });

  it('absence since the last of another event: a purchase at or after the cart add ends it', () => {
    const since: RuleExpr = { none: { type: 'purchase' }, sinceLast: { type: 'add_to_cart' } };
    expect(at(since, stateOf([ev('add_to_cart', H(1))]), H(2))).toBe(true);
    expect(at(since, stateOf([ev('add_to_cart', H(1)), ev('purchase', H(1))]), H(2))).toBe(false);
    expect(at(since, stateOf([ev('purchase', H(1)), ev('add_to_cart', H(1) + 1)]), H(2))).toBe(true);
    expect(at(since, stateOf([ev('page_view', H(1))]), H(2))).toBe(false);
  });

  it('combines with all, any and not', () => {
    const state = stateOf([ev('page_view', H(1))]);
    const yes: RuleExpr = { last: { type: 'page_view' }, within: '1d' };
    const no: RuleExpr = { last: { type: 'purchase' }, within: '1d' };
    expect(at({ all: [yes, yes] }, state, H(2))).toBe(true);
    expect(at({ all: [yes, no] }, state, H(2))).toBe(false);
    expect(at({ any: [no, yes] }, state, H(2))).toBe(true);
    expect(at({ any: [no, no] }, state, H(2))).toBe(false);
    expect(at({ not: no }, state, H(2))).toBe(true);
  });

  it('finds the instant a rule flips by time alone', () => {
    const explorer: RuleExpr = { count: { type: 'product_view' }, window: '1d', op: '>', value: 2 };
    expect(nextFlip(explorer, seriesOf(views, ADV), H(4), true)).toBe(H(26));
    const absent: RuleExpr = { none: { type: 'purchase' }, within: '2h' };
    const bought = stateOf([ev('purchase', H(5))]);
    expect(nextFlip(absent, seriesOf(bought, ADV), H(5), false)).toBe(H(7));
    expect(nextFlip({ none: { type: 'purchase' }, sinceLast: { type: 'add_to_cart' } }, seriesOf(bought, ADV), H(5), false)).toBe(Infinity);
  });
});

describe('memberships', () => {
  const explorers: SegmentRule = { id: 'explorers', when: { count: { type: 'product_view' }, window: '1d', op: '>', value: 1 } };

  it('are per advertiser: one advertiser’s events never build another’s segment', () => {
    const state = stateOf([ev('product_view', H(1)), ev('product_view', H(2)), ev('product_view', H(2), { advertiserId: 'adv-other' })]);
    const { memberships } = evaluateMemberships(state, [explorers], {}, H(3));
    expect(Object.keys(memberships)).toEqual(['explorers@adv-acme']);
  });

  it('start now and end exactly when the rule stops holding', () => {
    const state = stateOf([ev('product_view', H(1)), ev('product_view', H(2))]);
    const r = evaluateMemberships(state, [explorers], {}, H(3));
    expect(r.memberships['explorers@adv-acme']).toEqual({ sinceMs: H(3), expiresAtMs: H(25) });
    expect(r.nextChangeMs).toBe(H(25));
    // Re-evaluated later with the same counters: same membership, `since` kept.
    expect(evaluateMemberships(state, [explorers], r.memberships, H(10)).memberships['explorers@adv-acme']).toEqual({ sinceMs: H(3), expiresAtMs: H(25) });
    // At the expiry the member is out, with nothing left to wake for.
    const later = evaluateMemberships(state, [explorers], r.memberships, H(25));
    expect(later.memberships).toEqual({});
    expect(later.nextChangeMs).toBe(Infinity);
  });

  it('enter by time alone when an absence becomes true, and say when', () => {
    const quiet: SegmentRule = { id: 'lapsed', when: { all: [{ last: { type: 'page_view' }, within: '7d' }, { none: { type: 'purchase' }, within: '1d' }] } };
    const state = stateOf([ev('purchase', H(1)), ev('page_view', H(2))]);
    const r = evaluateMemberships(state, [quiet], {}, H(3));
    expect(r.memberships).toEqual({});
    expect(r.nextChangeMs).toBe(H(25));
    expect(evaluateMemberships(state, [quiet], {}, H(25)).memberships['lapsed@adv-acme']).toEqual({ sinceMs: H(25), expiresAtMs: H(2) + 7 * DAY_MS });
  });

  it('outlive their rule by the membership TTL, but never past what they were given', () => {
    const loyal: SegmentRule = { ...explorers, id: 'loyal', membershipTtl: '2h' };
    const state = stateOf([ev('product_view', H(1)), ev('product_view', H(2))]);
    const r = evaluateMemberships(state, [loyal], {}, H(3));
    expect(r.memberships['loyal@adv-acme']).toEqual({ sinceMs: H(3), expiresAtMs: H(27) });
    // After the rule stopped holding, the member stays until its TTL runs out.
    expect(evaluateMemberships(state, [loyal], r.memberships, H(26)).memberships['loyal@adv-acme']).toEqual({ sinceMs: H(3), expiresAtMs: H(27) });
    expect(evaluateMemberships(state, [loyal], r.memberships, H(27)).memberships).toEqual({});
  });

  it('end at once when an event falsifies a rule without TTL; with TTL, TTL after it', () => {
    const cart: SegmentRule = {
      id: 'cart',
      when: { all: [{ last: { type: 'add_to_cart' }, within: '7d' }, { none: { type: 'purchase' }, sinceLast: { type: 'add_to_cart' } }] },
    };
    const sticky: SegmentRule = { ...cart, id: 'sticky', membershipTtl: '1h' };
    const events = [ev('add_to_cart', H(1))];
    const before = evaluateMemberships(stateOf(events), [cart, sticky], {}, H(2)).memberships;
    expect(before['cart@adv-acme']?.expiresAtMs).toBe(H(1) + 7 * DAY_MS);
    const after = evaluateMemberships(stateOf([...events, ev('purchase', H(3))]), [cart, sticky], before, H(3)).memberships;
    expect(after['cart@adv-acme']).toBeUndefined();
    expect(after['sticky@adv-acme']).toEqual({ sinceMs: H(2), expiresAtMs: H(4) });
  });

  it('let an advertiser’s own rule replace a global rule of the same id, and scope advertiser rules to their advertiser', () => {
    const state = stateOf([ev('product_view', H(1)), ev('product_view', H(1), { advertiserId: 'adv-b' })]);
    const strict: SegmentRule = { ...explorers, advertiserId: 'adv-b', when: { count: { type: 'product_view' }, window: '1d', op: '>', value: 0 } };
    const only: SegmentRule = { id: 'b_only', advertiserId: 'adv-b', when: { last: { type: 'product_view' }, within: '1d' } };
    const { memberships } = evaluateMemberships(state, [explorers, strict, only], {}, H(2));
    expect(Object.keys(memberships).sort()).toEqual(['b_only@adv-b', 'explorers@adv-b']);
  });

  it('publish a rule that holds with no end in sight for the retention, and wake then', () => {
    const neverBought: SegmentRule = { id: 'never', when: { none: { type: 'purchase' }, within: '90d' } };
    const r = evaluateMemberships(stateOf([ev('page_view', H(1))]), [neverBought], {}, H(2));
    expect(r.memberships['never@adv-acme']).toEqual({ sinceMs: H(2), expiresAtMs: H(2) + RETENTION_MS });
    expect(r.nextChangeMs).toBe(H(2) + RETENTION_MS);
  });
});
