/** The worker entry sends bids to the lean exchange app and everything else to the full app. */
import { describe, expect, it } from 'vitest';
import { isBid } from '../src/bid-app';
import { bannerRequest, fetchWorker, ORIGIN, post } from './helpers';

describe('isBid (which app a request takes)', () => {
  it('takes POST /openrtb2/bid with or without a query', () => {
    for (const url of ['http://x/openrtb2/bid', 'https://bid.example:8443/openrtb2/bid?timing=1', 'http://127.0.0.1:8787/openrtb2/bid#f']) {
      expect(isBid(new Request(url, { method: 'POST' })), url).toBe(true);
    }
  });

  it('leaves other methods, longer paths, prefixes and look-alikes to the full app', () => {
    const cases: [string, string][] = [
      ['GET', 'http://x/openrtb2/bid'],
      ['POST', 'http://x/openrtb2/bidder'],
      ['POST', 'http://x/openrtb2/bid/extra'],
      ['POST', 'http://x/v1/openrtb2/bid'],
      ['POST', 'http://x/openrtb2'],
      ['POST', 'http://x/?next=/openrtb2/bid'],
      ['POST', 'http://x/openrtb2/bid/'],
      ['POST', 'http://x/openrtb2/%62id'],
      ['POST', 'http://x//openrtb2/bid'],
    ];
    for (const [method, url] of cases) expect(isBid(new Request(url, { method })), `${method} ${url}`).toBe(false);
  });
});

describe('the worker entry', () => {
  it('answers bids through the lean app with the full app’s auth and errors', async () => {
    expect((await post('/openrtb2/bid', bannerRequest(undefined), { auth: 'none' })).status).toBe(401);
    const bad = await post('/openrtb2/bid', { id: 'x' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_request' } });
    expect([200, 204]).toContain((await post('/openrtb2/bid', bannerRequest(undefined))).status);
  });

  it('still answers 405 for GET /openrtb2/bid and a JSON 404 beside it', async () => {
    expect((await fetchWorker(`${ORIGIN}/openrtb2/bid`)).status).toBe(405);
    const missing = await post('/openrtb2/bidder', {});
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/json');
  });
});
