/**
 * `GET /v1/reports/...` for an advertiser principal (`test-acme-advertiser`, owner of the demo
 * catalog's adv-acme): its own campaigns, line items and creatives answer with their figures;
 * anyone else's answer exactly what an unknown id answers (404), and every other endpoint is 403.
 * Data goes into the ledgers in a window months back, which no other test's traffic reaches.
 */
import { describe, expect, it } from 'vitest';
import type { ReportBody } from '../src/core/ledger/report';
import type { LedgerConfig } from '../src/objects/campaign-ledger';
import { TEST_TOKENS } from './auth-fixtures';
import { bannerRequest, fetchWorker, ORIGIN, post } from './helpers';
import { batch, hit, HOUR, ledgerStub } from './ledger-helpers';

const DAY = 24 * HOUR;
const BASE = Math.floor((Date.now() - 90 * DAY) / HOUR) * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const RANGE = `from=${iso(BASE)}&to=${iso(BASE + 2 * HOUR)}`;

interface ErrorJson {
  error: { code: string; status: number; message: string };
}

const asAcme = (path: string, init: Parameters<typeof fetchWorker>[1] = {}) =>
  fetchWorker(`${ORIGIN}${path}`, { auth: 'acmeAdvertiser', ...init });

/** Two impressions, one click at $2.00 CPM in `cmp`'s ledger, inside RANGE. */
async function seed(cmp: string, adv: string, li: string, cr: string): Promise<void> {
  const run = crypto.randomUUID();
  const config: LedgerConfig = { campaignId: cmp, advertiserId: adv, conversionTypes: ['purchase'], fromCatalog: true };
  const at = BASE + 15 * 60_000;
  await ledgerStub(cmp).apply(
    config,
    batch({
      hits: [
        hit(cmp, 'imp', `${run}-a`, at, { li, cr, adv }),
        hit(cmp, 'click', `${run}-a`, at, { li, cr, adv }),
        hit(cmp, 'imp', `${run}-b`, at, { li, cr, adv }),
      ],
    }),
  );
}

describe('reports for an advertiser principal', () => {
  it('reads its own campaign, line item and creative', async () => {
    await seed('cmp-acme-prospecting', 'adv-acme', 'li-acme-prospecting', 'cr-acme-brand-728x90');
    for (const [path, kind, id] of [
      ['campaigns', 'campaign', 'cmp-acme-prospecting'],
      ['line-items', 'lineItem', 'li-acme-prospecting'],
      ['creatives', 'creative', 'cr-acme-brand-728x90'],
    ] as const) {
      const res = await asAcme(`/v1/reports/${path}/${id}?${RANGE}`);
      expect(res.status).toBe(200);
      const body = await res.json<ReportBody>();
      expect(body).toMatchObject({ kind, id, totals: { impressions: 2, clicks: 1, spendMicros: 4000 } });
    }
    const csv = await asAcme(`/v1/reports/campaigns/cmp-acme-prospecting?${RANGE}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  });

  it('gets 404 for another advertiser’s campaign, line item and creative, indistinguishable from an unknown id', async () => {
    await seed('cmp-northwind-prospecting', 'adv-northwind', 'li-northwind-prospecting', 'cr-northwind-970x250');
    for (const [path, id] of [
      ['campaigns', 'cmp-northwind-prospecting'],
      ['campaigns', 'cmp-nimbus-cross-sell'],
      ['line-items', 'li-northwind-prospecting'],
      ['creatives', 'cr-northwind-970x250'],
      ['creatives', 'cr-northwind-video-15s'],
    ] as const) {
      const foreign = await asAcme(`/v1/reports/${path}/${id}?${RANGE}`);
      const unknown = await asAcme(`/v1/reports/${path}/nope-${crypto.randomUUID()}?${RANGE}`);
      expect(foreign.status).toBe(404);
      expect(foreign.headers.get('content-type')).toContain('application/json');
      const foreignBody = await foreign.json<ErrorJson>();
      expect(foreignBody.error.code).toBe('not_found');
      expect(foreignBody).toEqual(await unknown.json<ErrorJson>());
    }
    // The same figures are there for the admin: the 404 was the advertiser's scope, not missing data.
    const admin = await fetchWorker(`${ORIGIN}/v1/reports/campaigns/cmp-northwind-prospecting?${RANGE}`, { auth: 'admin' });
    expect(admin.status).toBe(200);
    expect((await admin.json<ReportBody>()).totals).toMatchObject({ impressions: 2, clicks: 1, spendMicros: 4000 });
  });

  it('is refused on the admin API, bidding, decisions and privacy operations with 403', async () => {
    const calls = [
      asAcme('/v1/admin/catalog'),
      post('/openrtb2/bid', bannerRequest(undefined), { auth: 'acmeAdvertiser' }),
      post('/v1/decisions', { placements: [{ id: 'top-banner', sizes: ['300x250'] }], site: { domain: 'news.example' } }, { auth: 'acmeAdvertiser' }),
      post('/v1/users/advertiser-test-user/opt-out', {}, { auth: 'acmeAdvertiser' }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(403);
      const body = await res.json<ErrorJson>();
      expect(body.error).toMatchObject({ code: 'forbidden', message: 'advertiser credentials are not allowed on this endpoint' });
    }
  });

  it('must send its token in the header: ?auth= is not read on reports', async () => {
    const res = await fetchWorker(`${ORIGIN}/v1/reports/campaigns/cmp-acme-prospecting?${RANGE}&auth=${TEST_TOKENS.acmeAdvertiser}`, { auth: 'none' });
    expect(res.status).toBe(401);
    expect((await res.json<ErrorJson>()).error.code).toBe('unauthorized');
  });
});
