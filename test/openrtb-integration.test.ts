/** `POST /openrtb2/bid` on the real runtime: bids, no-bids and clear errors. */
import { describe, expect, it } from 'vitest';
import demoRequest from './fixtures/bid-banner-300x250.json';
import unservable from './fixtures/bid-unservable-size.json';
import { bannerRequest, fetchWorker, ORIGIN, post } from './helpers';

interface ErrorJson {
  error: { code: string; status: number; message: string; path?: string; issues?: { path: string; message: string }[] };
}

describe('POST /openrtb2/bid', () => {
  it('bids on the demo request with a complete OpenRTB 2.6 BidResponse', async () => {
    const res = await post('/openrtb2/bid', demoRequest, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      id: 'demo-req-1',
      cur: 'USD',
      seatbid: [
        {
          seat: 'edgebid',
          bid: [{ impid: '1', price: 1.2, adomain: ['acme-outdoor.example'], crid: 'cr-acme-brand-300x250', cid: 'cmp-acme-prospecting', w: 300, h: 250, mtype: 1 }],
        },
      ],
      ext: { edgebid: { profileSource: 'do', catalogVersion: 1 } },
    });
    const bid = (body as { seatbid: { bid: { nurl: string; adm: string; id: string }[] }[] }).seatbid[0]?.bid[0];
    expect(bid?.nurl).toMatch(/^http:\/\/edge\.test\/v1\/t\/[\w-]+\.[\w-]+\?price=\$\{AUCTION_PRICE\}$/);
    expect(bid?.adm).toContain('href="http://edge.test/v1/t/');
    expect(bid?.adm).not.toContain('${CLICK_URL}');
    expect(bid?.id).toBeTruthy();
  });

  it('answers 204 when no creative fits the only imp, saying why', async () => {
    const res = await post('/openrtb2/bid', unservable);
    expect(res.status).toBe(204);
    expect(res.headers.get('x-edgebid-no-bid')).toBe('no_creative_fits');
    expect(await res.text()).toBe('');
  });

  it('answers 204 for an audio-only request (allowed by the spec, not served by us)', async () => {
    const res = await post('/openrtb2/bid', bannerRequest('u', { imp: [{ id: '1', audio: { mimes: ['audio/mp4'] } }] }));
    expect(res.status).toBe(204);
    expect(res.headers.get('x-edgebid-no-bid')).toBe('unsupported_media');
  });

  it('bids only on the imps it can serve in a multi-imp request', async () => {
    const res = await post(
      '/openrtb2/bid',
      bannerRequest('u-multi', { imp: [{ id: 'a', banner: { w: 728, h: 90 } }, { id: 'b', banner: { w: 1, h: 1 } }] }),
    );
    const body = await res.json<{ seatbid: { bid: { impid: string }[] }[] }>();
    expect(body.seatbid[0]?.bid.map((b) => b.impid)).toEqual(['a']);
  });

  it('reads no profile without behavioural consent (COPPA) and without a user id', async () => {
    const coppa = await post('/openrtb2/bid', bannerRequest('kid', { regs: { coppa: 1 } }));
    expect(coppa.status).toBe(200);
    expect(coppa.headers.get('x-edgebid-profile-source')).toBe('none');
    expect(coppa.headers.get('x-edgebid-consent')).toBe('coppa');
    const anonymous = await post('/openrtb2/bid', bannerRequest(undefined));
    expect(anonymous.headers.get('x-edgebid-profile-source')).toBe('none');
  });

  it('no-bids when the exchange only accepts a currency we do not price in', async () => {
    const res = await post('/openrtb2/bid', bannerRequest('u', { cur: ['JPY'] }));
    expect(res.status).toBe(204);
    expect(res.headers.get('x-edgebid-no-bid')).toBe('currency_unsupported');
  });

  it.each([
    ['not JSON', '{"id": "x", imp: []', 'invalid_json'],
    ['empty body', '', 'invalid_json'],
    ['JSON null', 'null', 'invalid_request'],
  ])('rejects %s with 400 %s', async (_what, body, code) => {
    const res = await post('/openrtb2/bid', body);
    expect(res.status).toBe(400);
    expect((await res.json<ErrorJson>()).error.code).toBe(code);
  });

  it('names the offending field of an invalid request', async () => {
    const res = await post('/openrtb2/bid', bannerRequest('u', { imp: [{ id: '1', banner: { w: -300, h: 250 } }] }));
    expect(res.status).toBe(400);
    const { error } = await res.json<ErrorJson>();
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, path: 'imp[0].banner.w' });
    expect(JSON.stringify(error)).not.toContain('-300');
  });

  it('rejects an oversized body with 413 before parsing it', async () => {
    const res = await post('/openrtb2/bid', `{"id":"x","pad":"${'a'.repeat(300 * 1024)}"}`);
    expect(res.status).toBe(413);
    expect((await res.json<ErrorJson>()).error.code).toBe('payload_too_large');
  });

  it('enforces the size cap while streaming a body that declares no length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 64 chunks of 64 KiB = 4 MiB, far past the 256 KiB cap; the reader must stop early.
        if (sent++ < 64) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetchWorker(`${ORIGIN}/openrtb2/bid`, { method: 'POST', body });
    expect(res.status).toBe(413);
    expect((await res.json<ErrorJson>()).error.code).toBe('payload_too_large');
    expect(sent).toBeLessThan(64);
  });

  it('answers a wrong method with a JSON 405 and an unknown path with a JSON 404', async () => {
    const get = await post('/openrtb2/bid', '', { method: 'GET', body: null });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const missing = await post('/openrtb2/nope', '{}');
    expect(missing.status).toBe(404);
    expect((await missing.json<ErrorJson>()).error.code).toBe('not_found');
  });
});
