import { describe, expect, it } from 'vitest';
import { parseCatalog } from './catalog-schema';
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
});
