/**
 * `GET /v1/reports/...` over real campaign ledgers: auth, parameter errors, unknown ids, JSON and
 * CSV, sums across ledgers, and the holdout lift on a synthetic population. Data is written into
 * the demo campaigns' ledgers in a window weeks in the past, which no other test's traffic
 * reaches, so the figures asserted are exact.
 */
import { describe, expect, it } from 'vitest';
import type { HitMessage } from '../src/core/ledger/messages';
import { mulberry32 } from '../src/core/ledger/pacing-sim.testing';
import type { ReportBody } from '../src/core/ledger/report';
import type { LedgerConfig } from '../src/objects/campaign-ledger';
import { fetchWorker, ORIGIN } from './helpers';
import { batch, hit, HOUR, ledgerStub } from './ledger-helpers';

const DAY = 24 * HOUR;
/** A window no other test writes to: whole hours, weeks back. */
const BASE = Math.floor((Date.now() - 70 * DAY) / HOUR) * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

function configOf(campaignId: string, advertiserId: string): LedgerConfig {
  return { campaignId, advertiserId, conversionTypes: ['purchase', 'conversion'], fromCatalog: true };
}

const get = (path: string, init: Parameters<typeof fetchWorker>[1] = {}) => fetchWorker(`${ORIGIN}${path}`, init);

describe('reports API: access and parameters', () => {
  // Advertiser principals and their scope: test/reports-advertiser.test.ts.
  it('refuses anonymous callers, exchanges and publishers; the admin reads any campaign', async () => {
    expect((await get('/v1/reports/campaigns/cmp-acme-retargeting', { auth: 'none' })).status).toBe(401);
    expect((await get('/v1/reports/campaigns/cmp-acme-retargeting', { auth: 'publisher' })).status).toBe(403);
    expect((await get('/v1/reports/campaigns/cmp-acme-retargeting', { auth: 'exchange' })).status).toBe(403);
    expect((await get('/v1/reports/campaigns/cmp-acme-retargeting', { auth: 'admin' })).status).toBe(200);
  });

  it('reports every bad parameter at once', async () => {
    const res = await get('/v1/reports/campaigns/cmp-acme-retargeting?from=last-week&to=2026-13-01&granularity=minute&format=pdf');
    expect(res.status).toBe(400);
    const { error } = await res.json<{ error: { code: string; issues: { path: string }[] } }>();
    expect(error.code).toBe('invalid_request');
    expect(error.issues.map((i) => i.path)).toEqual(['from', 'to', 'granularity', 'format']);
  });

  it('answers 404 for ids the catalog does not know, and 405 for other methods', async () => {
    for (const path of ['/v1/reports/campaigns/nope', '/v1/reports/line-items/nope', '/v1/reports/creatives/nope']) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe('not_found');
    }
    const post = await get('/v1/reports/campaigns/cmp-acme-retargeting', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});

describe('reports API: figures', () => {
  const start = BASE;
  const hits = (cmp: string, li: string, cr: string, b: string, at: number, kinds: HitMessage['k'][], cpm = 2_000_000) =>
    kinds.map((k) => hit(cmp, k, b, at, { li, cr, adv: 'adv-acme', cpm }));

  it('gives totals, hours, CTR, CVR and eCPM in JSON and CSV', async () => {
    const cmp = 'cmp-acme-retargeting';
    const li = 'li-acme-cart-retargeting';
    const cr = 'cr-acme-cart-300x250';
    const run = crypto.randomUUID();
    const ledger = ledgerStub(cmp);
    await ledger.apply(
      configOf(cmp, 'adv-acme'),
      batch({
        hits: [
          ...hits(cmp, li, cr, `${run}-a`, start + 10 * 60_000, ['win', 'imp', 'click'], 1_500_000),
          ...hits(cmp, li, cr, `${run}-b`, start + 20 * 60_000, ['win', 'imp'], 2_500_000),
          ...hits(cmp, li, cr, `${run}-c`, start + 2 * HOUR + 5 * 60_000, ['win', 'imp'], 2_000_000),
        ],
        decisions: [{ id: `${run}-d`, ts: start + 60_000, bids: [{ cmp, li, cr, n: 10, w: 10 }], holdouts: [] }],
      }),
    );
    const range = `from=${iso(start)}&to=${iso(start + 3 * HOUR)}`;
    const res = await get(`/v1/reports/campaigns/${cmp}?${range}&granularity=hour`);
    expect(res.status).toBe(200);
    const body = await res.json<ReportBody>();
    expect(body).toMatchObject({ kind: 'campaign', id: cmp, currency: 'USD', from: iso(start), to: iso(start + 3 * HOUR) });
    expect(body.totals).toEqual({
      bids: 10,
      wins: 3,
      impressions: 3,
      clicks: 1,
      conversions: 0,
      holdouts: 0,
      spendMicros: 6000,
      ctr: 1 / 3,
      cvr: 0,
      ecpmMicros: 2_000_000,
    });
    expect(body.hours?.map((h) => [h.hour, h.impressions, h.spendMicros])).toEqual([
      [iso(start), 2, 4000],
      [iso(start + 2 * HOUR), 1, 2000],
    ]);
    // The campaign has a 10 % holdout: the lift section is there (no users in this window).
    expect(body.lift?.method).toBe('newcombe-wilson');
    // The line item and the creative are reported from the same ledger.
    const liBody = await (await get(`/v1/reports/line-items/${li}?${range}`)).json<ReportBody>();
    expect(liBody.totals).toMatchObject({ bids: 10, impressions: 3, spendMicros: 6000 });
    expect(liBody.lift).toBeUndefined();
    const crBody = await (await get(`/v1/reports/creatives/${cr}?${range}`)).json<ReportBody>();
    expect(crBody.totals).toMatchObject({ clicks: 1, impressions: 3 });

    const csv = await get(`/v1/reports/campaigns/${cmp}?${range}&granularity=hour`, { headers: { accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]?.startsWith('period_start,period_end,bids,wins,impressions,clicks,conversions,holdouts,spend,ctr,cvr,ecpm')).toBe(true);
    expect(lines[3]?.split(',').slice(0, 12)).toEqual([iso(start), iso(start + 3 * HOUR), '10', '3', '3', '1', '0', '0', '0.006000', String(1 / 3), '0', '2.000000']);
    expect((await get(`/v1/reports/campaigns/${cmp}?${range}&format=csv`)).headers.get('content-type')).toContain('text/csv');
  });

  it('sums a creative over every campaign it serves in', async () => {
    const cr = 'cr-northwind-video-15s';
    const run = crypto.randomUUID();
    const at = start + 5 * HOUR;
    for (const [cmp, li] of [
      ['cmp-northwind-prospecting', 'li-x'],
      ['cmp-northwind-pmp', 'li-y'],
    ] as const) {
      await ledgerStub(cmp).apply(configOf(cmp, 'adv-northwind'), batch({ hits: hits(cmp, li, cr, `${run}-${cmp}`, at, ['win', 'imp']) }));
    }
    const body = await (await get(`/v1/reports/creatives/${cr}?from=${iso(at)}&to=${iso(at + HOUR)}`)).json<ReportBody>();
    expect(body.totals).toMatchObject({ wins: 2, impressions: 2, spendMicros: 4000 });
  });
});

describe('reports API: holdout lift on a synthetic population', () => {
  const cmp = 'cmp-acme-retargeting';
  const li = 'li-acme-cart-retargeting';

  /** `users` exposed and `users` held out in the hour at `at`; each converts with its group's rate. */
  async function population(at: number, users: number, exposedRate: number, holdoutRate: number, seed: number) {
    const rng = mulberry32(seed);
    const ledger = ledgerStub(cmp);
    const config = configOf(cmp, 'adv-acme');
    const run = crypto.randomUUID();
    const conversions: { t: 'conversion'; id: string; type: 'purchase'; adv: string; u: string; ts: number }[] = [];
    for (let from = 0; from < users; from += 500) {
      const n = Math.min(500, users - from);
      const exposed = Array.from({ length: n }, (_, i) => `${run}-e${from + i}`);
      const held = Array.from({ length: n }, (_, i) => `${run}-h${from + i}`);
      await ledger.apply(
        config,
        batch({
          hits: exposed.map((u, i) => hit(cmp, 'imp', `${run}-p${from + i}`, at, { li, cr: 'cr-acme-cart-300x250', adv: 'adv-acme', u })),
          decisions: [{ id: `${run}-d${from}`, ts: at, bids: [], holdouts: held.map((u) => ({ cmp, li, u })) }],
        }),
      );
      for (const u of exposed) if (rng() < exposedRate) conversions.push({ t: 'conversion', id: `${u}-buy`, type: 'purchase', adv: 'adv-acme', u, ts: at + HOUR });
      for (const u of held) if (rng() < holdoutRate) conversions.push({ t: 'conversion', id: `${u}-buy`, type: 'purchase', adv: 'adv-acme', u, ts: at + HOUR });
    }
    for (let i = 0; i < conversions.length; i += 500) await ledger.apply(config, batch({ conversions: conversions.slice(i, i + 500) }));
    const res = await get(`/v1/reports/campaigns/${cmp}?from=${iso(at)}&to=${iso(at + HOUR)}`);
    expect(res.status).toBe(200);
    return (await res.json<ReportBody>()).lift;
  }

  it('contains the true effect when exposure raises conversion (12 % vs 6 %)', async () => {
    const lift = await population(BASE + 10 * HOUR, 3000, 0.12, 0.06, 2024);
    expect(lift?.exposed.users).toBe(3000);
    expect(lift?.holdout.users).toBe(3000);
    const d = lift?.difference;
    expect(d).toBeDefined();
    expect(d?.low).toBeLessThanOrEqual(0.06);
    expect(d?.high).toBeGreaterThanOrEqual(0.06);
    expect(d?.low).toBeGreaterThan(0);
    expect(lift?.relative?.low).toBeLessThanOrEqual(1);
    expect(lift?.relative?.high).toBeGreaterThanOrEqual(1);
  });

  it('contains zero when exposure changes nothing (8 % in both groups)', async () => {
    const lift = await population(BASE + 20 * HOUR, 3000, 0.08, 0.08, 7);
    expect(lift?.difference?.low).toBeLessThanOrEqual(0);
    expect(lift?.difference?.high).toBeGreaterThanOrEqual(0);
  });
});
