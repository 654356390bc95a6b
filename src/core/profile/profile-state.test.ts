import { describe, expect, it } from 'vitest';
import { MAX_IMPRESSIONS_PER_SCOPE, type ProfileEventType } from '../model';
import {
  applyEvent,
  emptyState,
  getSeries,
  isEmptyState,
  LIMITS,
  mergeState,
  newTouched,
  nextLapseMs,
  pruneState,
  type HistoryEvent,
  type ProfileState,
} from './profile-state';
import { DAY_MS, HOUR_MS, RETENTION_MS } from './retention';
import { windowTotals } from './series';

const DAY0 = Date.UTC(2026, 10, 23);
const H = (n: number): number => DAY0 + n * HOUR_MS;

const ev = (type: ProfileEventType, tsMs: number, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({ id: `${type}-${tsMs}`, type, tsMs, advertiserId: 'adv-a', ...extra });

function apply(state: ProfileState, events: readonly HistoryEvent[], nowMs: number) {
  const touched = newTouched();
  for (const e of events) applyEvent(state, e, nowMs, touched);
  return touched;
}

describe('profile state', () => {
  it('counts an event under its type, product and category, and reports the rows it touched', () => {
    const s = emptyState();
    const touched = apply(s, [ev('product_view', H(1), { productId: 'p1', category: 'tents' })], H(2));
    expect([...s.series.get('adv-a')?.keys() ?? []].sort()).toEqual(['product_view', 'product_view|c|tents', 'product_view|p|p1']);
    expect(touched.series.size).toBe(3);
    expect(touched.doc).toBe(false);
  });

  it('counts an event stamped slightly in the future as now', () => {
    const s = emptyState();
    apply(s, [ev('page_view', H(1) + 60_000)], H(1));
    expect(getSeries(s, { advertiserId: 'adv-a', sub: 'page_view' })?.lastMs).toBe(H(1));
  });

  it('keeps events without an advertiser apart, and identify events out of the counters', () => {
    const s = emptyState();
    apply(s, [{ id: 'x', type: 'page_view', tsMs: H(1) }, ev('identify', H(1), { links: ['h2'] })], H(2));
    expect([...s.series.keys()]).toEqual(['']);
  });

  it('records impressions per line item, campaign and advertiser, newest 64 ascending', () => {
    const s = emptyState();
    const shown = Array.from({ length: MAX_IMPRESSIONS_PER_SCOPE + 6 }, (_, i) => ev('impression', H(1) + (70 - i) * 1000, { lineItemId: 'li', campaignId: 'cmp' }));
    const touched = apply(s, shown, H(2));
    expect(touched.doc).toBe(true);
    expect([...s.impressions.keys()].sort()).toEqual(['adv:adv-a', 'cmp:cmp', 'li:li']);
    const times = s.impressions.get('li:li') ?? [];
    expect(times).toHaveLength(MAX_IMPRESSIONS_PER_SCOPE);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[times.length - 1]).toBe(H(1) + 70_000);
    expect(times[0]).toBe(H(1) + 7_000);
  });

  it('remembers each advertiser’s newest cart add that names a product', () => {
    const s = emptyState();
    apply(s, [ev('add_to_cart', H(2), { productId: 'new', productName: 'New' }), ev('add_to_cart', H(1), { productId: 'old' }), ev('add_to_cart', H(3))], H(4));
    expect(s.carts.get('adv-a')).toEqual({ productId: 'new', productName: 'New', tsMs: H(2) });
  });

  it('prunes what left the retention, and is empty once everything has', () => {
    const s = emptyState();
    apply(s, [ev('add_to_cart', H(0), { productId: 'p' }), ev('impression', H(0), { lineItemId: 'li' })], H(0));
    s.memberships['x@adv-a'] = { sinceMs: H(0), expiresAtMs: H(5) };
    expect(nextLapseMs(s)).toBe(DAY0 + RETENTION_MS);
    const touched = newTouched();
    pruneState(s, DAY0 + RETENTION_MS, touched);
    expect(isEmptyState(s)).toBe(true);
    expect(touched.doc).toBe(true);
    expect([...touched.series.values()].map((r) => r.sub).sort()).toEqual(['add_to_cart', 'add_to_cart|p|p', 'impression']);
    expect(nextLapseMs(s)).toBe(Infinity);
  });

  it('bounds its counters, evicting the least recently active, and never lets views evict conversions', () => {
    const s = emptyState();
    const events: HistoryEvent[] = [];
    for (let i = 0; i < LIMITS.conversionSeries; i++) events.push(ev('purchase', H(1) + i, { advertiserId: `adv-${i}` }));
    for (let i = 0; i < LIMITS.typeSeries + 10; i++) events.push(ev('page_view', H(2) + i, { advertiserId: `adv-v${i}` }));
    for (let i = 0; i < LIMITS.dimensionSeries + 10; i++) events.push(ev('product_view', H(3) + i, { advertiserId: 'adv-a', productId: `p${i}` }));
    apply(s, events, H(4));
    const touched = newTouched();
    pruneState(s, H(4), touched);
    let conversions = 0;
    let types = 0;
    let dims = 0;
    for (const own of s.series.values()) {
      for (const sub of own.keys()) {
        if (sub.includes('|')) dims++;
        else if (sub === 'purchase') conversions++;
        else types++;
      }
    }
    expect(conversions).toBe(LIMITS.conversionSeries);
    expect(types).toBe(LIMITS.typeSeries);
    expect(dims).toBe(LIMITS.dimensionSeries);
    // Oldest went first.
    expect(s.series.get('adv-v0')).toBeUndefined();
    expect(getSeries(s, { advertiserId: 'adv-a', sub: 'product_view|p|p0' })).toBeUndefined();
    expect(getSeries(s, { advertiserId: 'adv-a', sub: `product_view|p|p${LIMITS.dimensionSeries + 9}` })).toBeDefined();
  });

  it('merges another profile: counters add up, newest cart wins, impressions interleave, memberships widen', () => {
    const a = emptyState();
    const b = emptyState();
    apply(a, [ev('product_view', H(1)), ev('add_to_cart', H(1), { productId: 'a' }), ev('impression', H(1), { lineItemId: 'li' })], H(5));
    apply(b, [ev('product_view', H(2)), ev('add_to_cart', H(2), { productId: 'b' }), ev('impression', H(3), { lineItemId: 'li' })], H(5));
    a.memberships['m@adv-a'] = { sinceMs: H(2), expiresAtMs: H(9) };
    b.memberships['m@adv-a'] = { sinceMs: H(1), expiresAtMs: H(8) };
    const touched = newTouched();
    mergeState(a, b, touched);
    const views = getSeries(a, { advertiserId: 'adv-a', sub: 'product_view' });
    expect(views && windowTotals(views, DAY_MS, H(5)).count).toBe(2);
    expect(a.carts.get('adv-a')?.productId).toBe('b');
    expect(a.impressions.get('li:li')).toEqual([H(1), H(3)]);
    expect(a.memberships['m@adv-a']).toEqual({ sinceMs: H(1), expiresAtMs: H(9) });
    // The source is left as it was (it is erased separately, once the merge is stored).
    const bViews = getSeries(b, { advertiserId: 'adv-a', sub: 'product_view' });
    expect(bViews && windowTotals(bViews, DAY_MS, H(5)).count).toBe(1);
  });
});
