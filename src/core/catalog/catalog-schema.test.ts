import { describe, expect, it } from 'vitest';
import { parseCatalog } from './catalog-schema';
import { SEED_SEGMENT_RULES } from '../segments/seed-rules';
import { DEMO_CATALOG } from './demo-catalog';

describe('parseCatalog', () => {
  it('accepts the demo catalog', () => {
    expect(parseCatalog(DEMO_CATALOG)).toEqual({ ok: true, value: DEMO_CATALOG });
  });
  it('reports every broken reference at once, with paths', () => {
    const broken = {
      ...DEMO_CATALOG,
      campaigns: [{ ...DEMO_CATALOG.campaigns[0], advertiserId: 'nope' }, ...DEMO_CATALOG.campaigns.slice(1)],
      lineItems: [{ ...DEMO_CATALOG.lineItems[0], creativeIds: ['missing', 'cr-nimbus-300x250'] }, ...DEMO_CATALOG.lineItems.slice(1)],
    };
    const r = parseCatalog(broken);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(['campaigns[0].advertiserId', 'lineItems[0].creativeIds[0]', 'lineItems[0].creativeIds[1]']);
  });
  it('refuses click URLs that are not http(s), such as javascript:', () => {
    const creatives = DEMO_CATALOG.creatives.map((c, i) => (i === 0 ? { ...c, clickUrl: 'javascript:alert(1)' } : c));
    const r = parseCatalog({ ...DEMO_CATALOG, creatives });
    expect(r).toMatchObject({ ok: false, issues: [{ path: 'creatives[0].clickUrl' }] });
  });
  it('reports shape errors with paths', () => {
    const r = parseCatalog({ ...DEMO_CATALOG, currency: 'usd', lineItems: [{ id: 'x' }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toContain('currency');
    expect(r.issues.map((i) => i.path)).toContain('lineItems[0].campaignId');
  });
  it('reports unknown segments, models of other advertisers and malformed expressions, all at once', () => {
    const [first, second, ...rest] = DEMO_CATALOG.lineItems;
    if (!first || !second) throw new Error('demo catalog changed');
    const lineItems = [
      { ...first, targeting: { all: [{ segment: 'cart_abandonerz' }, { geo: { country: ['USA'] } }] } },
      { ...second, targeting: { score: { model: 'lal-nimbus-buyers', atLeast: 0.5 } }, campaignId: 'cmp-acme-prospecting' },
      { ...first, id: 'li-two-ops', targeting: { segment: 'cart_abandoners', geo: { country: ['USA'] } } },
      ...rest,
    ];
    const r = parseCatalog({ ...DEMO_CATALOG, lineItems });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(['lineItems[2].targeting']);
    const refs = parseCatalog({ ...DEMO_CATALOG, lineItems: lineItems.filter((li) => li.id !== 'li-two-ops') });
    expect(refs.ok).toBe(false);
    if (refs.ok) return;
    expect(refs.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'lineItems[0].targeting.all[0].segment: unknown segment "cart_abandonerz": no segment rule defines it for this advertiser',
      "lineItems[1].creativeIds[0]: creative belongs to another advertiser than the line item's campaign",
      "lineItems[1].creativeIds[1]: creative belongs to another advertiser than the line item's campaign",
      "lineItems[1].creativeIds[2]: creative belongs to another advertiser than the line item's campaign",
      "lineItems[1].targeting.score.model: model belongs to another advertiser than the line item's campaign",
      "lineItems[1].adjustments[2].model: model belongs to another advertiser than the line item's campaign",
      "lineItems[1].frequencyCaps[0].raiseFor.model: model belongs to another advertiser than the line item's campaign",
    ]);
  });
});

describe('parseCatalog: pause status', () => {
  it('accepts paused advertisers, creatives, models and rules; a paused rule still defines its segment', () => {
    const doc = {
      ...DEMO_CATALOG,
      advertisers: DEMO_CATALOG.advertisers.map((a) => ({ ...a, status: 'paused' })),
      creatives: DEMO_CATALOG.creatives.map((c) => ({ ...c, status: 'paused' })),
      lookalikeModels: DEMO_CATALOG.lookalikeModels.map((m) => ({ ...m, status: 'paused' })),
      segmentRules: SEED_SEGMENT_RULES.map((r) => ({ ...r, status: 'paused' })),
    };
    const parsed = parseCatalog(doc);
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
  });

  it('refuses "archived" as a status of those kinds (archiving is the admin API\'s own operation)', () => {
    const parsed = parseCatalog({ ...DEMO_CATALOG, advertisers: DEMO_CATALOG.advertisers.map((a) => ({ ...a, status: 'archived' })) });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.issues.map((i) => i.path)).toContain('advertisers[0].status');
  });
});
