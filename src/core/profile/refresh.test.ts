import { describe, expect, it } from 'vitest';
import { SEED_SEGMENT_RULES } from '../segments/seed-rules';
import { applyEvent, emptyState, newTouched } from './profile-state';
import { DAY_MS, HOUR_MS, RETENTION_MS } from './retention';
import { refresh } from './refresh';

const DAY0 = Date.UTC(2026, 10, 23);
const H = (n: number): number => DAY0 + n * HOUR_MS;

describe('refresh', () => {
  it('makes a new version only when the content changed, and says when to wake next', () => {
    const state = emptyState();
    applyEvent(state, { id: 'a', type: 'add_to_cart', tsMs: H(1), advertiserId: 'adv' }, H(1), newTouched());
    const touched = newTouched();
    const first = refresh(state, SEED_SEGMENT_RULES, null, H(2), touched);
    expect(first.changed).toBe(true);
    expect(first.snapshot.version).toBe(1);
    expect(first.snapshot.segments['cart_abandoners@adv']).toEqual({ sinceMs: H(2), expiresAtMs: H(1) + 7 * DAY_MS });
    expect(touched.doc).toBe(true);
    // The cart membership ends first; the counters lapse at the retention.
    expect(first.nextWakeMs).toBe(H(1) + 7 * DAY_MS);

    const again = refresh(state, SEED_SEGMENT_RULES, first.snapshot, H(3), newTouched());
    expect(again.changed).toBe(false);
    expect(again.snapshot).toBe(first.snapshot);

    const lapsed = refresh(state, SEED_SEGMENT_RULES, first.snapshot, H(1) + 7 * DAY_MS, newTouched());
    expect(lapsed.changed).toBe(true);
    expect(lapsed.snapshot.version).toBe(2);
    expect(lapsed.snapshot.segments).toEqual({});
    expect(lapsed.nextWakeMs).toBe(DAY0 + RETENTION_MS);
  });
});
