import { describe, expect, it } from 'vitest';
import { buildSnapshot, cartAbandoners, DAY_MS, productExplorers, type HistoryEvent } from './realtime';

const NOW = 1_750_000_000_000;
let seq = 0;
const ev = (type: HistoryEvent['type'], agoMs: number, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({
  id: `e${++seq}`,
  type,
  tsMs: NOW - agoMs,
  ...extra,
});

describe('cart_abandoners', () => {
  it('includes a user who added to cart in the last 7 days and bought nothing since', () => {
    const m = cartAbandoners([ev('add_to_cart', 2 * DAY_MS), ev('add_to_cart', DAY_MS)], NOW);
    expect(m).toEqual({ sinceMs: NOW - 2 * DAY_MS, expiresAtMs: NOW - DAY_MS + 7 * DAY_MS });
  });
  it('drops the user once a purchase follows the cart add', () => {
    expect(cartAbandoners([ev('add_to_cart', 2 * DAY_MS), ev('purchase', DAY_MS)], NOW)).toBeNull();
  });
  it('counts only cart adds after the last purchase', () => {
    const m = cartAbandoners([ev('add_to_cart', 3 * DAY_MS), ev('purchase', 2 * DAY_MS), ev('add_to_cart', DAY_MS)], NOW);
    expect(m?.sinceMs).toBe(NOW - DAY_MS);
  });
  it('forgets cart adds older than 7 days', () => {
    expect(cartAbandoners([ev('add_to_cart', 8 * DAY_MS)], NOW)).toBeNull();
  });
});

describe('product_explorers', () => {
  const views = (n: number): HistoryEvent[] => Array.from({ length: n }, (_, i) => ev('product_view', (i + 1) * 3_600_000));
  it('needs more than 3 product views in 7 days', () => {
    expect(productExplorers(views(3), NOW)).toBeNull();
    const m = productExplorers(views(5), NOW);
    // Sorted ascending the views are 5h,4h,3h,2h,1h ago: member since the 4th (2h ago), until the 2nd-oldest needed (4h ago) ages out.
    expect(m).toEqual({ sinceMs: NOW - 2 * 3_600_000, expiresAtMs: NOW - 4 * 3_600_000 + 7 * DAY_MS });
  });
  it('excludes users who purchased in the window', () => {
    expect(productExplorers([...views(5), ev('purchase', 1000)], NOW)).toBeNull();
  });
});

describe('buildSnapshot', () => {
  it('keys segments by advertiser, and only that advertiser\'s purchase ends its cart', () => {
    const snap = buildSnapshot(
      [
        ev('add_to_cart', 2 * DAY_MS, { advertiserId: 'acme' }),
        ev('add_to_cart', 2 * DAY_MS, { advertiserId: 'nimbus' }),
        ev('purchase', DAY_MS, { advertiserId: 'nimbus' }),
        ev('add_to_cart', DAY_MS, { productId: 'no-advertiser' }),
      ],
      1,
      NOW,
    );
    expect(Object.keys(snap.segments)).toEqual(['cart_abandoners@acme']);
  });

  it('records the last conversion per advertiser from purchases and conversions', () => {
    const snap = buildSnapshot(
      [ev('purchase', 5 * DAY_MS, { advertiserId: 'a' }), ev('conversion', DAY_MS, { advertiserId: 'a' }), ev('purchase', DAY_MS, { advertiserId: 'b' }), ev('purchase', DAY_MS)],
      7,
      NOW,
    );
    expect(snap).toEqual({ version: 7, updatedAtMs: NOW, segments: {}, conversions: { a: NOW - DAY_MS, b: NOW - DAY_MS } });
  });
});
