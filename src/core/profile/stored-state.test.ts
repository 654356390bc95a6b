import { describe, expect, it } from 'vitest';
import { applyEvent, emptyState, newTouched } from './profile-state';
import { docOf, exportRows, stateFrom, UnreadableProfileError } from './stored-state';

describe('stored profile state', () => {
  it('round-trips through its document and counter rows', () => {
    const state = emptyState();
    const t = Date.UTC(2026, 10, 23, 10);
    for (const e of [
      { id: 'a', type: 'add_to_cart' as const, tsMs: t, advertiserId: 'adv', productId: 'p', productName: 'P', valueMicros: 5 },
      { id: 'b', type: 'impression' as const, tsMs: t, advertiserId: 'adv', lineItemId: 'li' },
    ]) {
      applyEvent(state, e, t, newTouched());
    }
    state.memberships['x@adv'] = { sinceMs: t, expiresAtMs: t + 1 };
    const back = stateFrom(structuredClone(docOf(state)), exportRows(state));
    expect(back).toEqual(state);
  });

  it('refuses a malformed document or counter instead of starting an empty profile', () => {
    expect(() => stateFrom({ memberships: 'old shape' }, [])).toThrow(UnreadableProfileError);
    const row = { advertiserId: 'adv', sub: 'page_view', lastMs: 1, hours: '[[1,1,0]]', days: '[[1,-1,0]]' };
    expect(() => stateFrom(undefined, [row])).toThrow(UnreadableProfileError);
    expect(() => stateFrom(undefined, [{ ...row, days: 'not json' }])).toThrow(/not JSON/);
    expect(stateFrom(undefined, []).series.size).toBe(0);
  });
});
