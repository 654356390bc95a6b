/**
 * Property: decide() with the candidate index and decide() scanning every line item make the
 * same decision — winner, creative, price, deal, no-bid reason, holdout — on random catalogs and
 * random requests (one or two slots, banner/video/native, deals, private auctions, floors,
 * profiles, users with and without an id).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, type SlotDecision } from './decide';
import { engineRequest, lineItems } from './index-arbitraries';
import { catalogOf } from './index-test-support';

/** What a decision means to the caller, without the trace. */
function summary(d: SlotDecision): Record<string, unknown> {
  const heldOut = d.heldOut ? { heldOut: d.heldOut } : {};
  if (d.kind === 'no_bid') return { slotId: d.slotId, reason: d.reason, ...heldOut };
  return { slotId: d.slotId, lineItemId: d.lineItem.item.id, creativeId: d.creative.id, priceMicros: d.priceMicros, dealId: d.dealId, ...heldOut };
}

describe('decide: index and linear engines', () => {
  it('make the same decisions', { timeout: 60_000 }, () => {
    let bids = 0;
    let noBids = 0;
    fc.assert(
      fc.property(
        // Line items without creatives included: a no-bid is explained with `anyFormat`.
        lineItems(4, 0, 60),
        fc.constantFrom(0, 30),
        fc.array(engineRequest, { minLength: 1, maxLength: 4 }),
        (specs, holdoutPct, requests) => {
          const catalog = catalogOf(specs, { holdoutPct: { 'adv-b': holdoutPct } });
          for (const r of requests) {
            const run = (engine: 'index' | 'linear') => {
              // The same draws for both engines: rotation of anonymous users' creatives uses rng.
              let seed = 0.137;
              const rng = () => (seed = (seed * 9301 + 0.49297) % 1);
              return decide(catalog, { ...r, rng, explain: false, engine }).map(summary);
            };
            const indexed = run('index');
            expect(indexed).toEqual(run('linear'));
            for (const d of indexed) {
              if ('lineItemId' in d) bids++;
              else noBids++;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    // Not vacuous: both outcomes occur often.
    expect(bids).toBeGreaterThan(100);
    expect(noBids).toBeGreaterThan(100);
  });
});
