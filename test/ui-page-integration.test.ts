/**
 * The campaign manager's page (/ui): served publicly with a strict CSP and no secret in it, and the
 * APIs it calls still answer it the shapes it reads. The page itself runs in headless Chromium in
 * scripts/ui-check.mjs; these tests pin what a browser cannot see go wrong until it does.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UI_CSP } from '../src/http/ui';
import { UI_EXAMPLES } from '../src/ui/examples';
import { fetchWorker, ORIGIN, post } from './helpers';
import { TEST_TOKENS } from './auth-fixtures';

const get = (path: string, auth: 'none' | 'admin' | 'publisher' = 'none') => fetchWorker(`${ORIGIN}${path}`, { auth });

/** Every secret the worker holds; none may appear in what /ui serves. */
function secrets(): string[] {
  return [env.ADMIN_TOKEN, env.USER_KEY_SECRET, env.TRACKING_SECRET, ...Object.values(TEST_TOKENS)].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

describe('GET /ui', () => {
  it('serves the page without credentials, with the CSP and no inline code', async () => {
    const res = await get('/ui');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(UI_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).toContain('<form id="login"');
    // Every script is a file; no event-handler or style attributes (the CSP would block them anyway).
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual(['<script src="/ui/app.js" defer>']);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
  });

  it('serves every file the page refers to, none holding a secret', async () => {
    const html = await (await get('/ui')).text();
    const refs = [...html.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.sort()).toEqual(['/ui/app.css', '/ui/app.js']);
    const types: Record<string, string> = { '/ui/app.js': 'text/javascript; charset=utf-8', '/ui/app.css': 'text/css; charset=utf-8' };
    const bodies = [html];
    for (const ref of refs) {
      const res = await get(ref);
      expect(res.status, ref).toBe(200);
      expect(res.headers.get('content-type'), ref).toBe(types[ref]);
      expect(res.headers.get('content-security-policy'), ref).toBe(UI_CSP);
      bodies.push(await res.text());
    }
    for (const body of bodies) for (const secret of secrets()) expect(body).not.toContain(secret);
  });

  it('builds the DOM from text only: the script has no HTML sinks or code from strings', async () => {
    const js = await (await get('/ui/app.js')).text();
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', 'setAttribute(']) {
      expect(js, sink).not.toContain(sink);
    }
    // Nothing leaks to the window; the examples are the typed ones.
    expect(js.startsWith('(function () {\n\'use strict\';')).toBe(true);
    expect(js).toContain(JSON.stringify(UI_EXAMPLES));
  });

  it('takes GET only, and is not a prefix for anything else', async () => {
    const res = await fetchWorker(`${ORIGIN}/ui`, { method: 'POST', auth: 'none' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    const missing = await get('/ui/secret.json');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
    // The page being public opens nothing next to it.
    expect((await get('/uix')).status).toBe(401);
  });
});

// What the page reads from each API (script-campaigns.ts, script-tester.ts): if a change to an
// API drops or renames one of these, the page would quietly show dashes.
const money = z.number().int();
const rate = z.number().nullable();
const campaignList = z.object({
  catalogVersion: z.number(),
  items: z.array(z.object({ data: z.object({ id: z.string(), name: z.string(), advertiserId: z.string(), holdoutPct: z.number() }), archived: z.boolean() })).min(1),
});
const namedList = z.object({ items: z.array(z.object({ data: z.object({ id: z.string(), name: z.string() }) })) });
const lineItemList = z.object({ items: z.array(z.object({ data: z.object({ campaignId: z.string() }) })) });
const report = z.object({
  currency: z.string(),
  totals: z.object({ spendMicros: money, bids: z.number(), impressions: z.number(), clicks: z.number(), conversions: z.number(), ctr: rate }),
  lift: z
    .object({
      exposed: z.object({ users: z.number(), rate }),
      holdout: z.object({ users: z.number(), rate }),
      difference: z.object({ estimate: z.number(), low: z.number(), high: z.number() }).nullable(),
      method: z.string(),
    })
    .optional(),
});
const traceSlot = z.object({
  impid: z.string(),
  outcome: z.enum(['bid', 'no_bid']),
  lineItems: z.array(z.object({ lineItemId: z.string(), outcome: z.string() })).min(1),
});
const trace = z.object({ consent: z.object({ mode: z.string(), reason: z.string() }), profileSource: z.string(), slots: z.array(traceSlot).min(1) });

describe('the APIs the page calls', () => {
  it('need the admin token', async () => {
    expect((await get('/v1/admin/campaigns')).status).toBe(401);
    expect((await get('/v1/admin/campaigns', 'publisher')).status).toBe(403);
    expect((await get('/v1/reports/campaigns/cmp-acme-retargeting', 'publisher')).status).toBe(403);
  });

  it('list campaigns, advertisers and line items, and report spend and lift in the shape the page reads', async () => {
    const campaigns = campaignList.parse(await (await get('/v1/admin/campaigns', 'admin')).json());
    namedList.parse(await (await get('/v1/admin/advertisers', 'admin')).json());
    const lineItems = lineItemList.parse(await (await get('/v1/admin/line-items', 'admin')).json());
    const withHoldout = campaigns.items.find((c) => c.data.holdoutPct > 0 && lineItems.items.some((li) => li.data.campaignId === c.data.id));
    expect(withHoldout, 'the demo catalog has a campaign with a holdout').toBeDefined();
    const res = await get(`/v1/reports/campaigns/${encodeURIComponent(withHoldout?.data.id ?? '')}?from=${Date.now() - 86_400_000}`, 'admin');
    expect(res.status).toBe(200);
    expect(report.parse(await res.json()).lift).toBeDefined();
  });

  it('answer the tester with a decision and the explain trace for the admin token', async () => {
    const bid = await post('/openrtb2/bid?debug=1', UI_EXAMPLES.openrtb, { auth: 'admin' });
    expect(bid.status).toBe(200);
    const bidBody = z.object({ seatbid: z.array(z.object({ bid: z.array(z.object({ impid: z.string(), price: z.number() })).min(1) })).min(1), ext: z.object({ edgebid: z.object({ trace }) }) });
    bidBody.parse(await bid.json());

    const decision = await post('/v1/decisions?debug=1', UI_EXAMPLES.decision, { auth: 'admin' });
    expect(decision.status).toBe(200);
    const body = z.object({ decisions: z.array(z.object({ placementId: z.string(), status: z.enum(['filled', 'empty']) })), explain: trace }).parse(await decision.json());
    expect(body.decisions.map((d) => d.placementId)).toEqual(UI_EXAMPLES.decision.placements.map((p) => p.id));
    expect(body.explain.slots).toHaveLength(UI_EXAMPLES.decision.placements.length);
  });
});
