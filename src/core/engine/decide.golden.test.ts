/**
 * Golden decisions: each case in golden/cases.json is a request (slots, profile, blocks) against
 * the demo catalog and the decision it must produce. Add a case for every behaviour pinned.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileCatalog } from '../catalog/compile';
import { DEMO_CATALOG } from '../catalog/demo-catalog';
import { snapshotSchema } from '../segments/snapshot-schema';
import { decide } from './decide';
import rawCases from './golden/cases.json';

const NOW_MS = 1_750_000_000_000;

const caseSchema = z.object({
  name: z.string(),
  slots: z.array(
    z.object({
      id: z.string(),
      sizes: z.array(z.object({ w: z.number(), h: z.number() })),
      floorMicros: z.number().nullable(),
      closed: z.enum(['deals_only', 'seat_blocked']).optional(),
    }),
  ),
  profile: snapshotSchema.nullable(),
  blockedCategories: z.array(z.string()).default([]),
  blockedDomains: z.array(z.string()).default([]),
  expect: z.array(
    z.object({
      slotId: z.string(),
      kind: z.enum(['bid', 'no_bid']),
      lineItemId: z.string().optional(),
      creativeId: z.string().optional(),
      priceMicros: z.number().optional(),
      reason: z.string().optional(),
    }),
  ),
});

const cases = z.array(caseSchema).parse(rawCases);
const catalog = compileCatalog(DEMO_CATALOG);

describe('golden decisions against the demo catalog', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const decisions = decide(catalog, {
      slots: c.slots,
      profile: c.profile,
      blockedCategories: c.blockedCategories,
      blockedDomains: c.blockedDomains,
      nowMs: NOW_MS,
      rng: () => 0,
      explain: false,
    });
    const actual = decisions.map((d) =>
      d.kind === 'bid'
        ? { slotId: d.slotId, kind: d.kind, lineItemId: d.lineItem.item.id, creativeId: d.creative.id, priceMicros: d.priceMicros }
        : { slotId: d.slotId, kind: d.kind, reason: d.reason },
    );
    expect(actual).toMatchObject(c.expect);
    expect(actual).toHaveLength(c.expect.length);
  });
});
