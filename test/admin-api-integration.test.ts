/**
 * The admin API end to end in workerd: every operation on every kind through HTTP, the
 * CatalogAdmin object and real KV; validation of the whole catalog with every problem at once;
 * optimistic concurrency; authentication. Answers are checked against the API's own schemas.
 */
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { catalogInfoSchema, listResponseSchema, entityResponseSchema, writeResponseSchema } from '../src/core/catalog/admin-api';
import { KINDS } from '../src/core/catalog/admin-kinds';
import type { CatalogAdmin } from '../src/objects/catalog-admin';
import { CURRENT_KEY, versionKey } from '../src/store/catalog-store';
import { adminCall, expectError, expectShape } from './admin-support';

const uid = (prefix: string): string => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

const advertiserBody = (id: string) => ({ id, name: `Advertiser ${id}`, domains: [`${id}.example`], categories: ['IAB1'] });
const campaignBody = (id: string, advertiserId: string) => ({
  id,
  advertiserId,
  name: 'Campaign',
  conversion: { eventTypes: ['purchase'], suppressWithinSec: 86_400 },
  holdoutPct: 0,
});
const creativeBody = (id: string, advertiserId: string, w = 300, h = 250) => ({
  id,
  advertiserId,
  format: 'banner',
  w,
  h,
  markup: '<a href="${CLICK_URL}">ad</a>',
  clickUrl: 'https://landing.example/',
});
const lineItemBody = (id: string, campaignId: string, creativeIds: string[]) => ({
  id,
  campaignId,
  name: 'Line item',
  status: 'active',
  targeting: null,
  baseCpmMicros: 1_000_000,
  maxCpmMicros: 2_000_000,
  adjustments: [],
  frequencyCaps: [],
  creativeIds,
  priority: 1,
});

/** An advertiser with one campaign, one creative and one line item; returns their ids. */
async function seedAdvertiser() {
  const ids = { adv: uid('adv'), cmp: uid('cmp'), cr: uid('cr'), li: uid('li') };
  for (const [path, body] of [
    ['/advertisers', advertiserBody(ids.adv)],
    ['/campaigns', campaignBody(ids.cmp, ids.adv)],
    ['/creatives', creativeBody(ids.cr, ids.adv)],
    ['/line-items', lineItemBody(ids.li, ids.cmp, [ids.cr])],
  ] as const) {
    const res = await adminCall('POST', path, { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  return ids;
}

async function kvDocument(): Promise<{ version: number; doc: Record<string, unknown> }> {
  const version = Number(await env.CATALOG.get(CURRENT_KEY));
  const raw = await env.CATALOG.get(versionKey(version));
  if (raw === null) throw new Error('no published document');
  return { version, doc: JSON.parse(raw) as Record<string, unknown> };
}

describe('admin API: every kind', () => {
  it('creates, reads, lists, replaces and patches each kind, each write a new published version', async () => {
    const ids = await seedAdvertiser();
    const rule = { id: uid('rule').replace('-', '_'), advertiserId: ids.adv, when: { last: { type: 'add_to_cart' }, within: '3d' } };
    const model = { id: uid('lal'), advertiserId: ids.adv, intercept: -1, weights: [{ count: 'product_view', windowDays: 7, weight: 0.5 }] };
    const created = [
      await adminCall('POST', '/segment-rules', { body: rule }),
      await adminCall('POST', '/lookalike-models', { body: model }),
    ];
    expect(created.map((c) => c.status)).toEqual([201, 201]);
    expect(created[0]?.headers.get('location')).toBe(`/v1/admin/segment-rules/${encodeURIComponent(`${rule.id}@${ids.adv}`)}`);

    const keys = { advertisers: ids.adv, campaigns: ids.cmp, creatives: ids.cr, lineItems: ids.li, segmentRules: `${rule.id}@${ids.adv}`, lookalikeModels: model.id } as const;
    let lastVersion = 0;
    for (const [collection, key] of Object.entries(keys) as [keyof typeof keys, string][]) {
      const spec = KINDS[collection];
      const read = expectShape(await adminCall('GET', `/${spec.path}/${encodeURIComponent(key)}`), 200, entityResponseSchema(spec));
      const list = expectShape(await adminCall('GET', `/${spec.path}`), 200, listResponseSchema(spec));
      expect(list.items.some((i) => JSON.stringify(i.data) === JSON.stringify(read.data))).toBe(true);

      // Replace with a changed field (creatives and models have no name).
      const change: Record<string, unknown> =
        collection === 'lookalikeModels' ? { intercept: -2 } : collection === 'creatives' ? { weight: 3 } : { name: `renamed ${collection}` };
      const changed = { ...(read.data as object), ...change };
      const put = await adminCall('PUT', `/${spec.path}/${encodeURIComponent(key)}`, { body: changed, ifMatch: read.etag });
      const written = expectShape(put, 200, writeResponseSchema(spec));
      expect(written.published).toBe(true);
      expect(written.etag).not.toBe(read.etag);
      expect(put.headers.get('etag')).toBe(written.etag);
      expect(written.catalogVersion).toBeGreaterThan(lastVersion);
      lastVersion = written.catalogVersion;

      // Published: KV's current version holds the change.
      const { version, doc } = await kvDocument();
      expect(version).toBe(written.catalogVersion);
      const published = (doc[collection] as Record<string, unknown>[]).find((e) => JSON.stringify(e) === JSON.stringify(written.data));
      expect(published).toMatchObject(change);
    }

    const patched = expectShape(
      await adminCall('PATCH', `/line-items/${ids.li}`, { body: { baseCpmMicros: 1_500_000, targeting: { segment: rule.id } }, ifMatch: '*' }),
      200,
      writeResponseSchema(KINDS.lineItems),
    );
    expect(patched.data).toMatchObject({ baseCpmMicros: 1_500_000, targeting: { segment: rule.id }, name: 'renamed lineItems' });
  });

  it('pauses and resumes every kind; the published catalog carries the status', async () => {
    const ids = await seedAdvertiser();
    const rule = { id: uid('rule').replace('-', '_'), advertiserId: ids.adv, when: { last: { type: 'add_to_cart' }, within: '3d' } };
    const model = { id: uid('lal'), advertiserId: ids.adv, intercept: -1, weights: [{ count: 'product_view', windowDays: 7, weight: 0.5 }] };
    expect((await adminCall('POST', '/segment-rules', { body: rule })).status).toBe(201);
    expect((await adminCall('POST', '/lookalike-models', { body: model })).status).toBe(201);
    const keys = { campaigns: ids.cmp, lineItems: ids.li, advertisers: ids.adv, creatives: ids.cr, segmentRules: `${rule.id}@${ids.adv}`, lookalikeModels: model.id } as const;
    for (const [collection, key] of Object.entries(keys) as [keyof typeof keys, string][]) {
      const spec = KINDS[collection];
      const id = key.split('@')[0];
      const path = `/${spec.path}/${encodeURIComponent(key)}`;
      const publishedStatus = async (): Promise<unknown> => {
        const { doc } = await kvDocument();
        return (doc[collection] as Record<string, unknown>[]).find((e) => e.id === id && (collection !== 'segmentRules' || e.advertiserId === ids.adv))?.status;
      };
      const paused = expectShape(await adminCall('POST', `${path}/pause`), 200, writeResponseSchema(spec));
      expect(paused.data).toMatchObject({ status: 'paused' });
      expect(paused.published).toBe(true);
      expect(await publishedStatus()).toBe('paused');
      const again = expectShape(await adminCall('POST', `${path}/pause`), 200, writeResponseSchema(spec));
      expect(again.catalogVersion).toBe(paused.catalogVersion);
      const resumed = expectShape(await adminCall('POST', `${path}/resume`), 200, writeResponseSchema(spec));
      expect(resumed.data).toMatchObject({ status: 'active' });
      expect(resumed.catalogVersion).toBe(paused.catalogVersion + 1);
      expect(await publishedStatus()).toBe('active');
    }
  });

  it('archives an advertiser with everything it owns, hides it from lists, keeps it readable, and restores it', async () => {
    const ids = await seedAdvertiser();
    const archived = expectShape(await adminCall('POST', `/advertisers/${ids.adv}/archive`), 200, writeResponseSchema(KINDS.advertisers));
    expect(archived).toMatchObject({ archived: true, data: { id: ids.adv } });
    const { doc } = await kvDocument();
    expect(JSON.stringify(doc)).not.toContain(ids.adv);

    const live = expectShape(await adminCall('GET', '/line-items'), 200, listResponseSchema(KINDS.lineItems));
    expect(live.items.map((i) => (i.data as { id: string }).id)).not.toContain(ids.li);
    const all = expectShape(await adminCall('GET', `/line-items?archived=include&campaignId=${ids.cmp}`), 200, listResponseSchema(KINDS.lineItems));
    expect(all.items.map((i) => [(i.data as { id: string }).id, i.archived])).toEqual([[ids.li, true]]);
    expect(expectShape(await adminCall('GET', `/creatives/${ids.cr}`), 200, entityResponseSchema(KINDS.creatives)).archived).toBe(true);
    expectError(await adminCall('PATCH', `/creatives/${ids.cr}`, { body: { weight: 2 }, ifMatch: '*' }), 409, 'conflict');

    expectShape(await adminCall('POST', `/advertisers/${ids.adv}/restore`), 200, writeResponseSchema(KINDS.advertisers));
    const back = expectShape(await adminCall('GET', `/line-items/${ids.li}`), 200, entityResponseSchema(KINDS.lineItems));
    expect(back.archived).toBe(false);
    expect(JSON.stringify((await kvDocument()).doc)).toContain(ids.li);
  });
});

describe('admin API: validation', () => {
  it('reports every problem of a line item at once, with paths, and publishes nothing', async () => {
    const ids = await seedAdvertiser();
    const before = await env.CATALOG.get(CURRENT_KEY);
    const res = await adminCall('POST', '/line-items', {
      body: {
        ...lineItemBody(uid('li'), ids.cmp, [ids.cr, 'cr-missing', 'cr-nimbus-300x250']),
        baseCpmMicros: 5_000_000,
        targeting: { all: [{ segment: 'no_such_segment' }, { format: ['970x250'] }, { score: { model: 'lal-missing', atLeast: 0.5 } }] },
      },
    });
    const error = expectError(res, 400, 'invalid_request');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'maxCpmMicros', message: 'must be at least baseCpmMicros' },
        { path: 'creativeIds[1]', message: 'unknown creative' },
        { path: 'creativeIds[2]', message: "creative belongs to another advertiser than the line item's campaign" },
        { path: 'targeting.all[0].segment', message: expect.stringContaining('unknown segment') as string },
        { path: 'targeting.all[2].score.model', message: 'unknown lookalike model' },
        { path: 'creativeIds[0]', message: expect.stringContaining('can never serve') as string },
      ]),
    );
    expect(error.path).toBe(error.issues?.[0]?.path);
    expect(await env.CATALOG.get(CURRENT_KEY)).toBe(before);
  });

  it('reports every shape problem of a body at once, unknown fields included', async () => {
    const error = expectError(
      await adminCall('POST', '/campaigns', { body: { id: 'has@at', advertiserId: 'adv-acme', holdoutPct: 90, conversion: { eventTypes: [] }, budgt: {} } }),
      400,
      'invalid_request',
    );
    expect(error.issues?.map((i) => i.path).sort()).toEqual(['budgt', 'conversion.eventTypes', 'conversion.suppressWithinSec', 'holdoutPct', 'id', 'name'].sort());
  });

  it('refuses an archive that live entities depend on, naming each of them', async () => {
    const ids = await seedAdvertiser();
    const error = expectError(await adminCall('POST', `/creatives/${ids.cr}/archive`), 400, 'invalid_request');
    expect(error.issues).toEqual([{ path: `lineItems[${ids.li}].creativeIds[0]`, message: 'unknown creative' }]);
  });

  it('answers bad JSON and bad queries with the error table', async () => {
    const res = await adminCall('POST', '/advertisers', { body: undefined });
    expectError(res, 400, 'invalid_json');
    expectError(await adminCall('GET', '/advertisers?archived=maybe'), 400, 'invalid_request');
    expectError(await adminCall('GET', '/advertisers/adv-none'), 404, 'not_found');
    expectError(await adminCall('DELETE', '/advertisers/adv-acme'), 405, 'method_not_allowed');
    expectError(await adminCall('GET', '/nothing-here'), 404, 'not_found');
  });
});

describe('admin API: concurrency', () => {
  it('a write with a stale If-Match gets 409 and the current ETag; without If-Match, 428', async () => {
    const ids = await seedAdvertiser();
    const read = expectShape(await adminCall('GET', `/campaigns/${ids.cmp}`), 200, entityResponseSchema(KINDS.campaigns));
    // Someone else changes the campaign first.
    const other = expectShape(await adminCall('PATCH', `/campaigns/${ids.cmp}`, { body: { name: 'theirs' }, ifMatch: read.etag }), 200, writeResponseSchema(KINDS.campaigns));
    const mine = await adminCall('PATCH', `/campaigns/${ids.cmp}`, { body: { name: 'mine' }, ifMatch: read.etag });
    expectError(mine, 409, 'conflict');
    expect(mine.headers.get('etag')).toBe(other.etag);
    expectError(await adminCall('PATCH', `/campaigns/${ids.cmp}`, { body: { name: 'mine' } }), 428, 'precondition_required');
    expectError(await adminCall('POST', `/campaigns/${ids.cmp}/pause`, { ifMatch: read.etag }), 409, 'conflict');
    expectError(await adminCall('POST', '/campaigns', { body: campaignBody(ids.cmp, ids.adv) }), 409, 'conflict');
    const final = expectShape(await adminCall('GET', `/campaigns/${ids.cmp}`), 200, entityResponseSchema(KINDS.campaigns));
    expect(final.data).toMatchObject({ name: 'theirs' });
  });

  it('concurrent writes all land, each on its own version, none lost', async () => {
    const ids = await seedAdvertiser();
    const names = Array.from({ length: 6 }, (_, i) => `Creative ${i}`);
    const results = await Promise.all(
      names.map((_, i) => adminCall('POST', '/creatives', { body: { ...creativeBody(`${ids.cr}-${i}`, ids.adv), weight: i + 1 } })),
    );
    const versions = results.map((r) => expectShape(r, 201, writeResponseSchema(KINDS.creatives)).catalogVersion);
    expect(new Set(versions).size).toBe(names.length);
    const { doc } = await kvDocument();
    const published = JSON.stringify(doc.creatives);
    for (let i = 0; i < names.length; i++) expect(published).toContain(`${ids.cr}-${i}`);
  });
});

describe('admin API: authentication', () => {
  it('401 without or with a wrong token, 403 for a publisher, 200 for the admin', async () => {
    const none = await adminCall('GET', '/advertisers', { auth: 'none' });
    expectError(none, 401, 'unauthorized');
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expectError(await adminCall('POST', '/advertisers', { auth: 'none', body: advertiserBody(uid('adv')) }), 401, 'unauthorized');
    expectError(await adminCall('GET', '/catalog', { auth: 'publisher' }), 403, 'forbidden');
    expectError(await adminCall('POST', '/catalog/rollback', { auth: 'exchange' }), 403, 'forbidden');
    expect((await adminCall('GET', '/advertisers')).status).toBe(200);
  });
});

describe('admin API: catalog versions', () => {
  it('shows the current version and the history, serves a kept document, and rolls back in one call', async () => {
    const info = expectShape(await adminCall('GET', '/catalog'), 200, catalogInfoSchema);
    expect(info.kvCurrent).toBe(info.current);
    expect(info.versions[0]?.version).toBe(info.current);

    const ids = await seedAdvertiser();
    const after = expectShape(await adminCall('GET', '/catalog'), 200, catalogInfoSchema);
    expect(after.current).toBe(info.current + 4);
    expect(after.history.slice(0, 4).map((h) => h.action)).toEqual(['publish', 'publish', 'publish', 'publish']);
    expect(after.versions[0]?.origin).toEqual({ op: 'create', collection: 'lineItems', key: ids.li, along: [] });
    expect(after.versions[0]?.by).toBe('admin');
    expect(after.versions[0]?.published).toBe(true);

    const docRes = await adminCall('GET', `/catalog/versions/${after.current}`);
    expect(docRes.status).toBe(200);
    expect(JSON.stringify(docRes.body)).toContain(ids.li);

    // Undo the last change: back to the version before the line item.
    const stale = await adminCall('POST', '/catalog/rollback', { ifMatch: info.etag });
    expectError(stale, 409, 'conflict');
    const undo = await adminCall('POST', '/catalog/rollback', { ifMatch: after.etag });
    expect(undo.body).toEqual({ current: after.current - 1, previous: after.current, changed: true, published: true });
    expect(await env.CATALOG.get(CURRENT_KEY)).toBe(String(after.current - 1));
    expectError(await adminCall('GET', `/line-items/${ids.li}`), 404, 'not_found');

    // The next write starts from the rolled-back version and gets a new number.
    const next = expectShape(await adminCall('POST', '/line-items', { body: lineItemBody(ids.li, ids.cmp, [ids.cr]) }), 201, writeResponseSchema(KINDS.lineItems));
    expect(next.catalogVersion).toBe(after.current + 1);

    // Forward again to a named version.
    expect((await adminCall('POST', '/catalog/rollback', { body: { version: info.current } })).body).toMatchObject({ current: info.current, changed: true });
    expect(await env.CATALOG.get(CURRENT_KEY)).toBe(String(info.current));
    const history = expectShape(await adminCall('GET', '/catalog?limit=2'), 200, catalogInfoSchema).history;
    expect(history.map((h) => [h.action, h.version])).toEqual([
      ['rollback', info.current],
      ['publish', after.current + 1],
    ]);
    expectError(await adminCall('POST', '/catalog/rollback', { body: { version: 999_999 } }), 404, 'not_found');
    expectError(await adminCall('POST', '/catalog/rollback', { body: { version: 'latest' } }), 400, 'invalid_request');
  });
});

describe('admin API: publication failures', () => {
  it('a write whose KV put fails is kept unpublished, its number never reused, and the alarm publishes it', async () => {
    const stub = env.CATALOG_ADMIN.get(env.CATALOG_ADMIN.idFromName('catalog'));
    const before = await env.CATALOG.get(CURRENT_KEY);
    const id = uid('adv');
    const result = await runInDurableObject(stub, async (instance: CatalogAdmin) => {
      // Fault injection around the real namespace: reads work, writes fail.
      const holder = instance as unknown as { env: Env };
      const real = holder.env;
      const failingKv = { get: (k: string) => real.CATALOG.get(k), put: () => Promise.reject(new Error('KV unavailable')) };
      holder.env = { ...real, CATALOG: failingKv as unknown as KVNamespace };
      try {
        return await instance.write({ op: 'create', collection: 'advertisers', body: advertiserBody(id) }, 'admin');
      } finally {
        holder.env = real;
      }
    });
    if (!result.ok) throw new Error('write refused');
    const written = writeResponseSchema(KINDS.advertisers).parse(JSON.parse(result.body));
    expect(written.published).toBe(false);
    expect(await env.CATALOG.get(CURRENT_KEY)).toBe(before);
    // The admin view already builds on it; the edges do not see it yet.
    expect(expectShape(await adminCall('GET', `/advertisers/${id}`), 200, entityResponseSchema(KINDS.advertisers)).catalogVersion).toBe(written.catalogVersion);
    expect(expectShape(await adminCall('GET', '/catalog'), 200, catalogInfoSchema)).toMatchObject({ current: written.catalogVersion, published: false });

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await env.CATALOG.get(CURRENT_KEY)).toBe(String(written.catalogVersion));
    expect(await env.CATALOG.get(versionKey(written.catalogVersion))).toContain(id);
    const next = expectShape(await adminCall('POST', '/advertisers', { body: advertiserBody(uid('adv')) }), 201, writeResponseSchema(KINDS.advertisers));
    expect(next.catalogVersion).toBe(written.catalogVersion + 1);
  });
});

describe('admin API: catalogs published outside it', () => {
  it('a version published by hand above the newest is adopted by the next write; a fresh object adopts what KV serves', async () => {
    const current = expectShape(await adminCall('GET', '/catalog'), 200, catalogInfoSchema).current;
    const { doc } = await kvDocument();
    const handVersion = current + 5;
    const handAdvertiser = uid('adv-hand');
    const handDoc = { ...doc, version: handVersion, advertisers: [...(doc.advertisers as unknown[]), advertiserBody(handAdvertiser)] };
    await env.CATALOG.put(versionKey(handVersion), JSON.stringify(handDoc));
    await env.CATALOG.put(CURRENT_KEY, String(handVersion));

    const next = expectShape(await adminCall('POST', '/advertisers', { body: advertiserBody(uid('adv')) }), 201, writeResponseSchema(KINDS.advertisers));
    expect(next.catalogVersion).toBe(handVersion + 1);
    expect(expectShape(await adminCall('GET', `/advertisers/${handAdvertiser}`), 200, entityResponseSchema(KINDS.advertisers)).archived).toBe(false);
    const info = expectShape(await adminCall('GET', '/catalog?limit=2'), 200, catalogInfoSchema);
    expect(info.versions.map((v) => [v.version, v.origin.op, v.parent])).toEqual([
      [handVersion + 1, 'create', handVersion],
      [handVersion, 'import', current],
    ]);

    // Another object (as after a storage loss) starts from what the edges serve.
    const fresh = env.CATALOG_ADMIN.get(env.CATALOG_ADMIN.idFromName(`fresh-${crypto.randomUUID()}`));
    const freshInfo = await fresh.info(5);
    expect(freshInfo.current).toBe(handVersion + 1);
    expect(freshInfo.versions[0]?.origin).toEqual({ op: 'import', source: 'kv' });
  });
});
