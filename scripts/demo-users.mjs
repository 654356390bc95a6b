// Demo users for `npm start`: events that put each user in a known state through the real
// pipeline (POST /v1/events → queue → UserProfile). Event ids carry the day, so re-seeding the
// same day is a no-op (events are idempotent by id) and a new day refreshes the 7-day windows.

/** @param {number} nowMs */
export function demoEvents(nowMs) {
  const day = new Date(nowMs).toISOString().slice(0, 10);
  const at = (minutesAgo) => nowMs - minutesAgo * 60_000;
  const ev = (user, n, type, minutesAgo, extra = {}) => ({
    id: `demo-${day}-${user}-${n}`,
    type,
    userKey: user,
    ts: at(minutesAgo),
    advertiserId: 'adv-acme',
    ...extra,
  });
  return [
    // Abandoned a tent in the cart an hour ago: retargeting.
    ev('demo-cart-abandoner', 1, 'product_view', 70, { productId: 'tent-2p' }),
    ev('demo-cart-abandoner', 2, 'add_to_cart', 60, { productId: 'tent-2p', value: 249 }),
    // Looked at five Nimbus products this week, bought nothing: Nimbus's product-explorer line item.
    ...[1, 2, 3, 4, 5].map((n) => ev('demo-explorer', n, 'product_view', n * 600, { productId: `boot-${n}`, advertiserId: 'adv-nimbus' })),
    // Added to cart, then bought: suppressed from Acme retargeting.
    ev('demo-buyer', 1, 'add_to_cart', 120, { productId: 'stove', value: 89 }),
    ev('demo-buyer', 2, 'purchase', 90, { productId: 'stove', value: 89 }),
  ];
}
