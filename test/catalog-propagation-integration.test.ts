/**
 * A catalog change made through the admin API reaches a running isolate within the stated bound:
 * KV propagation (nothing locally) + CATALOG_REFRESH_SEC (1 s in this project) + one request.
 * The isolate is this one: `exports.default.fetch` runs the worker here, with its module-level
 * catalog cache already warm when the change is published. A rollback travels the same way.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { config } from '../src/http/config';
import { adminCall } from './admin-support';
import { post } from './helpers';

const REFRESH_MS = config(env).catalogRefreshSec * 1000;
/** One request to notice (it starts the background refresh) and one to serve, on a busy shared box. */
const SLACK_MS = 2_000;
const BOUND_MS = REFRESH_MS + SLACK_MS;

const tag = crypto.randomUUID().slice(0, 8);
const ids = { adv: `adv-prop-${tag}`, cmp: `cmp-prop-${tag}`, cr: `cr-prop-${tag}`, li: `li-prop-${tag}` };
const keyword = `propagation-${tag}`;

/** The line item that fills a 300x250 placement for a page with our keyword. */
async function winner(): Promise<string | undefined> {
  const res = await post('/v1/decisions', { placements: [{ id: 'p', sizes: ['300x250'] }], keywords: [keyword] });
  expect(res.status).toBe(200);
  const body = await res.json<{ decisions: { lineItemId?: string }[] }>();
  return body.decisions[0]?.lineItemId;
}

/** Polls decisions until `done` holds; returns the time it took from `sinceMs`. */
async function timeUntil(done: (lineItemId: string | undefined) => boolean, sinceMs: number): Promise<number> {
  for (;;) {
    if (done(await winner())) return Date.now() - sinceMs;
    if (Date.now() - sinceMs > BOUND_MS * 3) throw new Error('the change never reached this isolate');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function create(path: string, body: unknown): Promise<number> {
  const res = await adminCall('POST', path, { body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { catalogVersion: number }).catalogVersion;
}

describe('catalog propagation to a running isolate', () => {
  it('a new line item, a pause and a rollback each serve within refresh interval + one request', async () => {
    expect(REFRESH_MS).toBe(1000);
    // Warm: this isolate has compiled the current catalog, and serves the demo for our keyword.
    const before = await winner();
    expect(before).toBeDefined();
    expect(before).not.toBe(ids.li);

    await create('/advertisers', { id: ids.adv, name: 'Propagation', domains: ['prop.example'], categories: [] });
    await create('/campaigns', { id: ids.cmp, advertiserId: ids.adv, name: 'c', conversion: { eventTypes: ['purchase'], suppressWithinSec: 0 }, holdoutPct: 0 });
    await create('/creatives', { id: ids.cr, advertiserId: ids.adv, format: 'banner', w: 300, h: 250, markup: '<b>prop</b>', clickUrl: 'https://prop.example/' });
    const lineItem = {
      id: ids.li,
      campaignId: ids.cmp,
      name: 'Only for our keyword, above everything else',
      status: 'active',
      targeting: { keywords: [keyword] },
      baseCpmMicros: 1_000_000,
      maxCpmMicros: 1_000_000,
      adjustments: [],
      frequencyCaps: [],
      creativeIds: [ids.cr],
      priority: 100,
    };
    let publishedAt = Date.now();
    const version = await create('/line-items', lineItem);
    const added = await timeUntil((li) => li === ids.li, publishedAt);
    expect(added).toBeLessThanOrEqual(BOUND_MS);

    publishedAt = Date.now();
    const paused = await adminCall('POST', `/line-items/${ids.li}/pause`);
    expect(paused.status).toBe(200);
    const gone = await timeUntil((li) => li !== ids.li, publishedAt);
    expect(gone).toBeLessThanOrEqual(BOUND_MS);

    // Roll back to the version that had it active: it serves again.
    publishedAt = Date.now();
    const rolled = await adminCall('POST', '/catalog/rollback', { body: { version } });
    expect(rolled.body).toMatchObject({ current: version, changed: true, published: true });
    const back = await timeUntil((li) => li === ids.li, publishedAt);
    expect(back).toBeLessThanOrEqual(BOUND_MS);
    console.log(JSON.stringify({ event: 'propagation_ms', refreshMs: REFRESH_MS, added, gone, back }));
  });
});
