/**
 * Property: on random catalogs and random requests and profiles, the index's candidates are
 * ascending, contain every line item the linear scan matches, and filtered by the full
 * predicate are exactly the linear scan's matches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candidates } from './candidate-index';
import type { EvalContext } from './expr';
import { context, lineItems } from './index-arbitraries';
import { catalogOf, linearMatches, type LineItemSpec } from './index-test-support';

interface Tally {
  matched: number;
  pruned: number;
  calls: number;
}

const ascending = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || (xs[i - 1] ?? Infinity) < x);
/** Every member of `xs` not in `superset` (empty when it is one). */
const missing = (xs: readonly number[], superset: readonly number[]): number[] => {
  const all = new Set(superset);
  return xs.filter((x) => !all.has(x));
};

function agreesWithLinearScan(specs: LineItemSpec[], contexts: EvalContext[], tally: Tally): void {
  const catalog = catalogOf(specs);
  for (const ctx of contexts) {
    const got = candidates(catalog.index, ctx);
    const want = linearMatches(catalog, ctx);
    expect(ascending(got)).toBe(true);
    expect(missing(want, got)).toEqual([]);
    const wanted = new Set(want);
    expect(got.filter((pos) => wanted.has(pos))).toEqual(want);
    // Ignoring formats: a superset of every active line item whose targeting holds, and of `got`.
    const anyFormat = candidates(catalog.index, ctx, { anyFormat: true });
    expect(ascending(anyFormat)).toBe(true);
    expect(missing([...linearMatches(catalog, ctx, { anyFormat: true }), ...got], anyFormat)).toEqual([]);
    tally.calls++;
    if (want.length > 0) tally.matched++;
    if (got.length < catalog.lineItems.filter((li) => li.active).length) tally.pruned++;
  }
}

describe('candidate index against the linear scan', () => {
  it('agrees on small catalogs with deep expressions', { timeout: 60_000 }, () => {
    const tally: Tally = { matched: 0, pruned: 0, calls: 0 };
    fc.assert(
      fc.property(lineItems(5, 0, 40), fc.array(context, { minLength: 1, maxLength: 6 }), (specs, contexts) => {
        agreesWithLinearScan(specs, contexts, tally);
      }),
      { numRuns: 400 },
    );
    // Not vacuous: requests matched something, and the index left line items out.
    expect(tally.matched).toBeGreaterThan(tally.calls / 4);
    expect(tally.pruned).toBeGreaterThan(tally.calls / 4);
  });

  it('agrees on catalogs of hundreds of line items, where rare values are position lists', { timeout: 60_000 }, () => {
    const tally: Tally = { matched: 0, pruned: 0, calls: 0 };
    fc.assert(
      fc.property(lineItems(3, 200, 400), fc.array(context, { minLength: 5, maxLength: 10 }), (specs, contexts) => {
        agreesWithLinearScan(specs, contexts, tally);
      }),
      { numRuns: 25 },
    );
    expect(tally.matched).toBeGreaterThan(tally.calls / 2);
    expect(tally.pruned).toBeGreaterThan(tally.calls / 2);
  });
});
