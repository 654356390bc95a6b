/**
 * Segment rules are data in the catalog: a published catalog's `segmentRules` is what the
 * profiles evaluate (here: the demo catalog plus one rule of its own, so nothing else changes).
 * The profile objects read the catalog through the same isolate cache as the hot path, re-checked
 * in the background, so a new version is picked up within the refresh interval.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DEMO_CATALOG } from '../src/core/catalog/demo-catalog';
import type { SegmentRule } from '../src/core/segments/rule-schema';
import { SEED_SEGMENT_RULES } from '../src/core/segments/seed-rules';
import { publishCatalog } from '../src/store/catalog-store';
import { eventually } from './helpers';
import { ev, freshUser } from './profile-helpers';

const tentViewers: SegmentRule = {
  id: 'tent_viewers',
  name: 'Viewed the 2-person tent twice in a day',
  when: { count: { type: 'product_view', productId: 'tent-2p' }, window: '1d', op: '>=', value: 2 },
};

describe('segment rules from the catalog', () => {
  it('evaluates the published catalog’s rules', { timeout: 60_000 }, async () => {
    await publishCatalog(env, { ...DEMO_CATALOG, version: 1_000_000 + Math.floor(Math.random() * 1_000_000), segmentRules: [...SEED_SEGMENT_RULES, tentViewers] });
    const segments = await eventually(
      'a profile to evaluate the new rule',
      async () => {
        const { userHash, stub } = freshUser();
        const views = [1, 2].map((i) => ev(userHash, `t${i}`, 'product_view', i * 1000, { productId: 'tent-2p' }));
        const r = await stub.applyEvents(userHash, views);
        return r.snapshot?.segments['tent_viewers@adv-acme'] ? r.snapshot.segments : undefined;
      },
      40_000,
    );
    expect(Object.keys(segments)).toContain('tent_viewers@adv-acme');
  });
});
