/** `POST /v1/decisions` and the signed tracking URLs it hands out. */
import { describe, expect, it } from 'vitest';
import fixture from './fixtures/decision-request.json';
import { placementDecision } from '../src/http/decisions';
import { event, eventually, fetchWorker, ORIGIN, post, servedUser } from './helpers';

interface Decision {
  placementId: string;
  status: 'filled' | 'empty';
  reason?: string;
  lineItemId?: string;
  priceCpm?: number;
  creative?: { id: string; width: number; height: number; html: string };
  impressionUrl?: string;
  clickUrl?: string;
}
interface DecisionsBody {
  profileSource: string;
  decisions: Decision[];
}

describe('POST /v1/decisions', () => {
  it("refuses a publisher decisions for another publisher's site, naming the field", async () => {
    const res = await post('/v1/decisions', { ...fixture, site: { domain: 'rival.example' } }, { auth: 'newsPublisher' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'forbidden', issues: [{ path: 'site.domain' }] } });
    expect((await post('/v1/decisions', fixture, { auth: 'newsPublisher' })).status).toBe(200);
  });
  it('answers one decision per placement with creative HTML and tracking URLs', async () => {
    const res = await post('/v1/decisions', { ...fixture, userKey: `pub-${crypto.randomUUID()}` });
    expect(res.status).toBe(200);
    const body = await res.json<DecisionsBody>();
    expect(body.profileSource).toBe('do');
    expect(body.decisions.map((d) => [d.placementId, d.status, d.lineItemId])).toEqual([
      ['top-banner', 'filled', 'li-acme-prospecting'],
      ['sidebar', 'filled', 'li-acme-prospecting'],
    ]);
    const top = body.decisions[0];
    expect(top?.creative).toMatchObject({ id: 'cr-acme-brand-728x90', width: 728, height: 90 });
    expect(top?.creative?.html).toContain(top?.clickUrl?.replaceAll('&', '&amp;'));
  });

  it('uses the same engine and profile: a cart abandoner gets retargeting', async () => {
    const user = await servedUser('pub-cart');
    expect((await post('/v1/events', { events: [event(user, 'add_to_cart')] })).status).toBe(202);
    const d = await eventually('retargeting on the publisher path', async () => {
      const body = await (await post('/v1/decisions', { userKey: user, placements: [{ id: 'p', sizes: ['300x250'] }] })).json<DecisionsBody>();
      return body.decisions[0]?.lineItemId === 'li-acme-cart-retargeting' ? body.decisions[0] : undefined;
    });
    expect(d.priceCpm).toBe(4);
  });

  it('says why a placement stays empty', async () => {
    const body = await (await post('/v1/decisions', { placements: [{ id: 'odd', sizes: ['1x1'] }] })).json<DecisionsBody>();
    expect(body.decisions).toEqual([{ placementId: 'odd', status: 'empty', reason: 'no_creative_fits', code: 8 }]);
  });

  it('tells callers without the explain permission only no_fill: a reason can reveal the user', () => {
    const suppressed = { slotId: 'p', kind: 'no_bid', reason: 'suppressed_converted' } as const;
    expect(placementDecision(suppressed, undefined, undefined, false)).toEqual({ placementId: 'p', status: 'empty', reason: 'no_fill', code: 0 });
    expect(placementDecision(suppressed, undefined, undefined, true)).toEqual({ placementId: 'p', status: 'empty', reason: 'suppressed_converted', code: 6 });
  });

  it('rejects bad input with field paths', async () => {
    const res = await post('/v1/decisions', { placements: [{ id: 'a', sizes: ['big'] }, { id: 'a', sizes: [] }] });
    expect(res.status).toBe(400);
    const { error } = await res.json<{ error: { code: string; issues: { path: string }[] } }>();
    expect(error.code).toBe('invalid_request');
    expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['placements[0].sizes[0]', 'placements[1].sizes']));
  });
});

describe('GET /v1/t/:token', () => {
  async function urls(): Promise<Decision> {
    const body = await (await post('/v1/decisions', { placements: [{ id: 'p', sizes: ['300x250'] }] })).json<DecisionsBody>();
    const d = body.decisions[0];
    if (!d?.clickUrl || !d.impressionUrl) throw new Error('expected a filled placement');
    return d;
  }

  it('redirects a signed click to the landing page and answers an impression with a pixel', async () => {
    const d = await urls();
    const click = await fetchWorker(d.clickUrl ?? '', { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://acme-outdoor.example/');
    const imp = await fetchWorker(d.impressionUrl ?? '');
    expect(imp.status).toBe(200);
    expect(imp.headers.get('content-type')).toBe('image/gif');
  });

  it('refuses a forged or malformed token', async () => {
    const d = await urls();
    const token = (d.clickUrl ?? '').split('/').pop() ?? '';
    const [payload] = token.split('.');
    const forged = await fetchWorker(`${ORIGIN}/v1/t/${payload}.AAAA`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect((await forged.json<{ error: { code: string } }>()).error.code).toBe('invalid_token');
    expect((await fetchWorker(`${ORIGIN}/v1/t/garbage`)).status).toBe(400);
  });
});
