import { describe, expect, it } from 'vitest';
import { listEntities, mergePatch, planWrite, readEntity } from './admin-ops';
import { accepted, applyAll, demoBase, refused, T0 } from './admin-test-support';

const newLineItem = {
  id: 'li-acme-new',
  campaignId: 'cmp-acme-prospecting',
  name: 'New line item',
  status: 'active',
  targeting: null,
  baseCpmMicros: 1_000_000,
  maxCpmMicros: 2_000_000,
  adjustments: [],
  frequencyCaps: [],
  creativeIds: ['cr-acme-brand-300x250'],
  priority: 1,
};

describe('create', () => {
  it('adds an entity to a copy of the document and returns it with its ETag', () => {
    const base = demoBase();
    const p = accepted(planWrite(base, { op: 'create', collection: 'advertisers', body: { id: 'adv-new', name: 'New', domains: ['new.example'], categories: [] } }, T0));
    expect(p.unchanged).toBe(false);
    expect(p.state.doc.advertisers.map((a) => a.id)).toContain('adv-new');
    expect(base.state.doc.advertisers.map((a) => a.id)).not.toContain('adv-new');
    expect(p.entity).toMatchObject({ archived: false, data: { id: 'adv-new' } });
    expect(p.entity.etag).toMatch(/^"[0-9a-f]{28}"$/);
    expect(p.change).toEqual({ op: 'create', collection: 'advertisers', key: 'adv-new', along: [] });
  });

  it('refuses an id that exists, live or archived', () => {
    const base = demoBase();
    expect(refused(planWrite(base, { op: 'create', collection: 'advertisers', body: { id: 'adv-acme', name: 'x', domains: [], categories: [] } }, T0)).code).toBe('conflict');
    const archived = applyAll(base, [
      { op: 'patch', collection: 'lineItems', key: 'li-nimbus-explorers', patch: { creativeIds: ['cr-nimbus-300x250', 'cr-nimbus-320x50'] }, ifMatch: '*' },
      { op: 'archive', collection: 'creatives', key: 'cr-nimbus-native', ifMatch: undefined },
    ]);
    const body = readEntity(archived.state, 'creatives', 'cr-nimbus-native')?.data;
    expect(body).toBeDefined();
    expect(refused(planWrite(archived, { op: 'create', collection: 'creatives', body }, T0))).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('(archived)') as string,
    });
  });

  it('reports every shape problem of the body at once, relative to the body, unknown fields included', () => {
    const f = refused(
      planWrite(demoBase(), { op: 'create', collection: 'lineItems', body: { ...newLineItem, name: undefined, priority: 500, maxCpmMicro: 3, status: 'archived' } }, T0),
    );
    expect(f.code).toBe('invalid_request');
    expect(f.issues?.map((i) => i.path).sort()).toEqual(['maxCpmMicro', 'name', 'priority', 'status'].sort());
  });

  it('reports every cross-document problem at once: references, segments, bids, creative formats', () => {
    const f = refused(
      planWrite(
        demoBase(),
        {
          op: 'create',
          collection: 'lineItems',
          body: {
            ...newLineItem,
            campaignId: 'cmp-acme-retargeting',
            baseCpmMicros: 3_000_000,
            targeting: { all: [{ segment: 'no_such_segment' }, { format: ['728x90'] }] },
            adjustments: [{ kind: 'when', when: { segment: 'also_unknown' }, multiplier: 2 }],
            creativeIds: ['cr-acme-brand-300x250', 'cr-missing', 'cr-nimbus-300x250'],
          },
        },
        T0,
      ),
    );
    expect(f.code).toBe('invalid_request');
    expect(f.issues).toEqual(
      expect.arrayContaining([
        { path: 'maxCpmMicros', message: 'must be at least baseCpmMicros' },
        { path: 'creativeIds[1]', message: 'unknown creative' },
        { path: 'creativeIds[2]', message: "creative belongs to another advertiser than the line item's campaign" },
        { path: 'targeting.all[0].segment', message: expect.stringContaining('unknown segment') as string },
        { path: 'adjustments[0].when.segment', message: expect.stringContaining('unknown segment') as string },
        { path: 'creativeIds[0]', message: expect.stringContaining('can never serve') as string },
        { path: 'creativeIds[2]', message: expect.stringContaining('can never serve') as string },
      ]),
    );
    expect(f.issues).toHaveLength(7);
  });

  it('warns, but accepts, a creative no line item uses', () => {
    const p = accepted(
      planWrite(
        demoBase(),
        {
          op: 'create',
          collection: 'creatives',
          body: { id: 'cr-acme-new', advertiserId: 'adv-acme', format: 'banner', w: 300, h: 250, markup: '<b>x</b>', clickUrl: 'https://acme-outdoor.example/' },
        },
        T0,
      ),
    );
    expect(p.warnings).toEqual([{ path: '(root)', message: expect.stringContaining('no line item uses this creative') as string }]);
    // Stored as the catalog normalises it.
    expect(p.entity.data).toMatchObject({ categories: [], attributes: [], weight: 1 });
  });
});

describe('replace and patch', () => {
  const key = 'li-acme-prospecting';
  it('need If-Match, refuse a stale one with the current ETag, and apply with the right one', () => {
    const base = demoBase();
    const current = readEntity(base.state, 'lineItems', key);
    if (!current) throw new Error('missing');
    const body = { ...current.data, baseCpmMicros: 1_500_000 };
    expect(refused(planWrite(base, { op: 'replace', collection: 'lineItems', key, body, ifMatch: undefined }, T0)).code).toBe('precondition_required');
    const stale = refused(planWrite(base, { op: 'replace', collection: 'lineItems', key, body, ifMatch: '"0000"' }, T0));
    expect(stale).toMatchObject({ code: 'conflict', etag: current.etag });
    const ok = accepted(planWrite(base, { op: 'replace', collection: 'lineItems', key, body, ifMatch: current.etag }, T0));
    expect(ok.entity.data.baseCpmMicros).toBe(1_500_000);
    expect(ok.entity.etag).not.toBe(current.etag);
    // The old ETag is now stale.
    const next = applyAll(base, [{ op: 'replace', collection: 'lineItems', key, body, ifMatch: current.etag }]);
    expect(refused(planWrite(next, { op: 'patch', collection: 'lineItems', key, patch: { name: 'x' }, ifMatch: current.etag }, T0)).code).toBe('conflict');
  });

  it('patch merges (RFC 7396) and re-validates the whole entity', () => {
    const base = demoBase();
    const ok = accepted(planWrite(base, { op: 'patch', collection: 'lineItems', key, patch: { name: 'Renamed', shading: { fraction: 0.8 } }, ifMatch: '*' }, T0));
    expect(ok.entity.data).toMatchObject({ name: 'Renamed', shading: { fraction: 0.8 }, baseCpmMicros: 1_200_000 });
    const bad = refused(planWrite(base, { op: 'patch', collection: 'lineItems', key, patch: { baseCpmMicros: -1, creativeIds: [] }, ifMatch: '*' }, T0));
    expect(bad.issues?.map((i) => i.path).sort()).toEqual(['baseCpmMicros', 'creativeIds']);
  });

  it('cannot change the key the path names', () => {
    const f = refused(planWrite(demoBase(), { op: 'patch', collection: 'advertisers', key: 'adv-acme', patch: { id: 'adv-other' }, ifMatch: '*' }, T0));
    expect(f.issues).toEqual([{ path: 'id', message: expect.stringContaining('cannot change') as string }]);
  });

  it('a replacement identical to the current entity changes nothing', () => {
    const base = demoBase();
    const current = readEntity(base.state, 'advertisers', 'adv-acme');
    if (!current) throw new Error('missing');
    expect(accepted(planWrite(base, { op: 'replace', collection: 'advertisers', key: 'adv-acme', body: current.data, ifMatch: current.etag }, T0)).unchanged).toBe(true);
  });
});

describe('pause and resume', () => {
  it('set the status; pausing twice is no change', () => {
    const base = demoBase();
    const paused = accepted(planWrite(base, { op: 'pause', collection: 'campaigns', key: 'cmp-acme-prospecting', ifMatch: undefined }, T0));
    expect(paused.entity.data.status).toBe('paused');
    const next = applyAll(base, [{ op: 'pause', collection: 'campaigns', key: 'cmp-acme-prospecting', ifMatch: undefined }]);
    expect(accepted(planWrite(next, { op: 'pause', collection: 'campaigns', key: 'cmp-acme-prospecting', ifMatch: undefined }, T0)).unchanged).toBe(true);
    expect(accepted(planWrite(next, { op: 'resume', collection: 'campaigns', key: 'cmp-acme-prospecting', ifMatch: undefined }, T0)).entity.data.status).toBe('active');
  });

  it('apply to every kind, and the typed catalog carries the status', () => {
    const keys = [
      ['advertisers', 'adv-acme'],
      ['creatives', 'cr-nimbus-native'],
      ['segmentRules', 'cart_abandoners'],
      ['lookalikeModels', 'lal-nimbus-buyers'],
    ] as const;
    for (const [collection, key] of keys) {
      const paused = accepted(planWrite(demoBase(), { op: 'pause', collection, key, ifMatch: undefined }, T0));
      expect(paused.entity.data.status).toBe('paused');
      const typed = paused.typed.doc[collection] ?? [];
      expect(typed.find((e) => e.id === key.split('@')[0])?.status).toBe('paused');
    }
    // A paused rule is out of the rules in force but still defines its segment for line items.
    const rule = accepted(planWrite(demoBase(), { op: 'pause', collection: 'segmentRules', key: 'cart_abandoners', ifMatch: undefined }, T0));
    expect(rule.typed.rules.map((r) => r.id)).not.toContain('cart_abandoners');
  });
});

describe('archive and restore', () => {
  it('archiving a campaign takes its line items along, hides them from lists, and restore brings them back', () => {
    const base = demoBase();
    const p = accepted(planWrite(base, { op: 'archive', collection: 'campaigns', key: 'cmp-acme-prospecting', ifMatch: undefined }, T0));
    expect(p.change.along).toEqual(['lineItems/li-acme-prospecting']);
    expect(p.state.doc.lineItems.map((l) => l.id)).not.toContain('li-acme-prospecting');
    expect(p.entity).toMatchObject({ archived: true, archivedAtMs: T0 });
    const archived = applyAll(base, [{ op: 'archive', collection: 'campaigns', key: 'cmp-acme-prospecting', ifMatch: undefined }]);
    expect(listEntities(archived.state, 'campaigns', 'exclude').map((v) => v.data.id)).not.toContain('cmp-acme-prospecting');
    expect(listEntities(archived.state, 'campaigns', 'only').map((v) => v.data.id)).toEqual(['cmp-acme-prospecting']);
    expect(listEntities(archived.state, 'lineItems', 'include', 'cmp-acme-prospecting').map((v) => [v.data.id, v.archived])).toEqual([['li-acme-prospecting', true]]);
    // Archived entities cannot be edited.
    expect(refused(planWrite(archived, { op: 'patch', collection: 'campaigns', key: 'cmp-acme-prospecting', patch: { name: 'x' }, ifMatch: '*' }, T0)).code).toBe('conflict');
    const restored = accepted(planWrite(archived, { op: 'restore', collection: 'campaigns', key: 'cmp-acme-prospecting', ifMatch: undefined }, T0));
    expect(restored.change.along).toEqual(['lineItems/li-acme-prospecting']);
    expect(restored.state.doc.lineItems.map((l) => l.id)).toContain('li-acme-prospecting');
    expect(restored.entity.archived).toBe(false);
  });

  it('archiving an advertiser takes everything it owns', () => {
    const p = accepted(planWrite(demoBase(), { op: 'archive', collection: 'advertisers', key: 'adv-nimbus', ifMatch: undefined }, T0));
    expect([...p.change.along].sort()).toEqual(
      ['campaigns/cmp-nimbus-cross-sell', 'creatives/cr-nimbus-300x250', 'creatives/cr-nimbus-320x50', 'creatives/cr-nimbus-native', 'lineItems/li-nimbus-explorers', 'lookalikeModels/lal-nimbus-buyers'].sort(),
    );
    expect(p.state.doc.creatives.some((c) => c.advertiserId === 'adv-nimbus')).toBe(false);
  });

  it('refuses to archive what live entities still use, naming each by key', () => {
    const f = refused(planWrite(demoBase(), { op: 'archive', collection: 'creatives', key: 'cr-northwind-video-15s', ifMatch: undefined }, T0));
    expect(f.issues).toEqual([
      { path: 'lineItems[li-northwind-prospecting].creativeIds[2]', message: 'unknown creative' },
      { path: 'lineItems[li-northwind-pmp-video].creativeIds[0]', message: 'unknown creative' },
    ]);
  });

  it('restoring a line item whose campaign is still archived says so', () => {
    const archived = applyAll(demoBase(), [{ op: 'archive', collection: 'campaigns', key: 'cmp-acme-prospecting', ifMatch: undefined }]);
    const f = refused(planWrite(archived, { op: 'restore', collection: 'lineItems', key: 'li-acme-prospecting', ifMatch: undefined }, T0));
    expect(f.issues).toEqual([{ path: 'campaignId', message: 'unknown campaign' }]);
  });
});

describe('segment rules', () => {
  const rule = { id: 'tent_viewers', advertiserId: 'adv-acme', when: { count: { type: 'product_view', productId: 'tent-2p' }, window: '7d', op: '>=', value: 2 } };

  it('an advertiser-scoped rule is keyed id@advertiser, and only that advertiser may target it', () => {
    const base = demoBase();
    const p = accepted(planWrite(base, { op: 'create', collection: 'segmentRules', body: rule }, T0));
    expect(p.change.key).toBe('tent_viewers@adv-acme');
    // The seed rules became explicit, with the new one after them.
    expect(p.state.doc.segmentRules?.map((r) => r.id)).toEqual(['product_explorers', 'cart_abandoners', 'past_purchasers', 'deal_seekers', 'loyal_buyers', 'high_value_buyers', 'tent_viewers']);
    const withRule = applyAll(base, [{ op: 'create', collection: 'segmentRules', body: rule }]);
    accepted(planWrite(withRule, { op: 'patch', collection: 'lineItems', key: 'li-acme-prospecting', patch: { targeting: { segment: 'tent_viewers' } }, ifMatch: '*' }, T0));
    const other = refused(planWrite(withRule, { op: 'patch', collection: 'lineItems', key: 'li-northwind-prospecting', patch: { targeting: { segment: 'tent_viewers' } }, ifMatch: '*' }, T0));
    expect(other.issues).toEqual([{ path: 'targeting.segment', message: expect.stringContaining('unknown segment') as string }]);
  });

  it('archiving a rule a line item targets is refused with the line item named', () => {
    const f = refused(planWrite(demoBase(), { op: 'archive', collection: 'segmentRules', key: 'cart_abandoners', ifMatch: undefined }, T0));
    expect(f.issues?.map((i) => i.path)).toEqual([
      'lineItems[li-acme-cart-retargeting].targeting.segment',
      'lineItems[li-acme-cart-retargeting].adjustments[0].when.segment',
      'lineItems[li-nimbus-explorers].adjustments[0].when.segment',
    ]);
  });

  it('a rule is validated by the rule schema', () => {
    const f = refused(planWrite(demoBase(), { op: 'create', collection: 'segmentRules', body: { ...rule, id: 'Bad Id', when: { count: { type: 'product_view' } } } }, T0));
    expect(f.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['id', 'when.window']));
  });
});

describe('mergePatch', () => {
  it('merges objects, removes nulls, replaces arrays and scalars', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1, 2] }, { b: { c: null, f: 4 }, e: [3], g: 'x' })).toEqual({ a: 1, b: { d: 3, f: 4 }, e: [3], g: 'x' });
    expect(mergePatch({ a: 1 }, [1])).toEqual([1]);
  });
});
