import { describe, expect, it } from 'vitest';
import type { ProfileEventType } from '../model';
import { snapshotSchema } from '../segments/snapshot-schema';
import { applyEvent, emptyState, newTouched, type HistoryEvent, type ProfileState } from './profile-state';
import { DAY_MS, HOUR_MS } from './retention';
import { buildSnapshot, optedOutSnapshot, sameContent } from './snapshot';

const DAY0 = Date.UTC(2026, 10, 23);
const H = (n: number): number => DAY0 + n * HOUR_MS;
const TODAY = DAY0 / DAY_MS;

const ev = (type: ProfileEventType, tsMs: number, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({ id: `${type}-${tsMs}`, type, tsMs, advertiserId: 'adv-a', ...extra });

function stateOf(events: readonly HistoryEvent[], nowMs: number): ProfileState {
  const s = emptyState();
  const touched = newTouched();
  for (const e of events) applyEvent(s, e, nowMs, touched);
  return s;
}

describe('profile snapshot', () => {
  it('carries conversions keyed by event type and advertiser, activity per day, impressions per scope', () => {
    const state = stateOf(
      [
        ev('purchase', H(1)),
        ev('purchase', H(3)),
        ev('conversion', H(2), { advertiserId: 'adv-b' }),
        ev('page_view', H(1) - DAY_MS),
        ev('page_view', H(2)),
        ev('impression', H(4), { lineItemId: 'li', campaignId: 'cmp' }),
        { id: 'anon', type: 'purchase', tsMs: H(1) },
      ],
      H(5),
    );
    const snap = buildSnapshot(state, {}, 3, H(5));
    expect(snap.version).toBe(3);
    expect(snap.updatedAtMs).toBe(H(5));
    expect(snap.conversions).toEqual({ 'purchase@adv-a': H(3), 'conversion@adv-b': H(2) });
    expect(snap.activity?.['page_view@adv-a']).toEqual({ lastMs: H(2), daily: [[TODAY - 1, 1], [TODAY, 1]] });
    expect(snap.activity?.['purchase@adv-a']).toEqual({ lastMs: H(3), daily: [[TODAY, 2]] });
    expect(snap.impressions).toEqual({ 'li:li': [H(4)], 'cmp:cmp': [H(4)], 'adv:adv-a': [H(4)] });
    // Valid under the schema the hot path reads KV with.
    expect(snapshotSchema.parse(JSON.parse(JSON.stringify(snap)))).toEqual(snap);
  });

  it('publishes only memberships still running', () => {
    const state = stateOf([ev('page_view', H(1))], H(2));
    const snap = buildSnapshot(state, { 'a@adv-a': { sinceMs: H(1), expiresAtMs: H(3) }, 'b@adv-a': { sinceMs: H(0), expiresAtMs: H(2) } }, 1, H(2));
    expect(snap.segments).toEqual({ 'a@adv-a': { sinceMs: H(1), expiresAtMs: H(3) } });
  });

  it('shows the cart product until a purchase from that advertiser, and the most viewed category', () => {
    const carted = stateOf(
      [
        ev('add_to_cart', H(1), { productId: 'tent-2p', productName: 'Tent' }),
        ev('product_view', H(1), { category: 'tents' }),
        ev('product_view', H(2), { category: 'stoves' }),
        ev('product_view', H(3), { category: 'stoves' }),
        ev('purchase', H(2), { advertiserId: 'adv-b' }),
      ],
      H(4),
    );
    expect(buildSnapshot(carted, {}, 1, H(4)).dynamic).toEqual({ 'adv-a': { cartProductId: 'tent-2p', cartProductName: 'Tent', topCategory: 'stoves' } });
    applyEvent(carted, ev('purchase', H(5)), H(5), newTouched());
    expect(buildSnapshot(carted, {}, 2, H(5)).dynamic).toEqual({ 'adv-a': { topCategory: 'stoves' } });
  });

  it('breaks a category tie by the most recent view', () => {
    const state = stateOf([ev('product_view', H(1), { category: 'a' }), ev('product_view', H(2), { category: 'b' })], H(3));
    expect(buildSnapshot(state, {}, 1, H(3)).dynamic?.['adv-a']?.topCategory).toBe('b');
  });

  it('says nothing but the opt-out for an opted-out user', () => {
    expect(optedOutSnapshot(4, H(1))).toEqual({ version: 4, updatedAtMs: H(1), optedOut: true, segments: {}, conversions: {} });
    expect(snapshotSchema.safeParse(optedOutSnapshot(4, H(1))).success).toBe(true);
  });

  it('compares content regardless of version, time and key order', () => {
    const a = { version: 1, updatedAtMs: 1, segments: { x: { sinceMs: 1, expiresAtMs: 2 } }, conversions: { p: 1, q: 2 } };
    const b = { version: 2, updatedAtMs: 5, segments: { x: { expiresAtMs: 2, sinceMs: 1 } }, conversions: { q: 2, p: 1 } };
    expect(sameContent(a, b)).toBe(true);
    expect(sameContent(a, { ...b, conversions: { p: 1 } })).toBe(false);
  });
});
