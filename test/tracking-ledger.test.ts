/**
 * `GET /v1/t/:token` → ledger queue → CampaignLedger, end to end in workerd: forged, expired and
 * replayed tracking links are refused or ignored and never counted; the win notice charges the
 * exchange's clearing price. Tokens are signed here for a campaign id of the test's own, so no
 * other test's traffic reaches the counters asserted on.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { NOTICE_BITS, SPENT_BIT } from '../src/core/ledger/notice';
import type { CampaignLedger } from '../src/objects/campaign-ledger';
import { signToken, TRACKING_TTL_MS, type TrackingPayload } from '../src/http/tracking-token';
import { base64UrlDecode, base64UrlEncode } from '../src/http/crypto';
import { eventually, fetchWorker, ORIGIN, post } from './helpers';
import { HOUR, ledgerStub } from './ledger-helpers';

function payload(campaignId: string, k: TrackingPayload['k'], b: string, over: Partial<TrackingPayload> = {}): TrackingPayload {
  return { k, b, i: '1', li: 'li-t', cr: 'cr-t', cmp: campaignId, adv: 'adv-t', p: 2_000_000, exp: Date.now() + TRACKING_TTL_MS, ...over };
}

async function url(p: TrackingPayload, query = ''): Promise<string> {
  return `${ORIGIN}/v1/t/${await signToken(env.TRACKING_SECRET, p)}${query}`;
}

async function counts(campaignId: string) {
  const now = Date.now();
  const { rows } = await ledgerStub(campaignId).report({ fromMs: now - HOUR, toMs: now + HOUR, dim: 'cmp', lift: false, lagSec: 80 });
  return rows.reduce(
    (acc, r) => ({
      wins: acc.wins + r.counters.wins,
      impressions: acc.impressions + r.counters.impressions,
      clicks: acc.clicks + r.counters.clicks,
      spendNanos: acc.spendNanos + r.counters.spendNanos,
    }),
    { wins: 0, impressions: 0, clicks: 0, spendNanos: 0 },
  );
}

/** Waits until the ledger has counted the sentinel placement: everything queued before it has been processed too. */
async function settle(campaignId: string, sentinel: string) {
  const res = await fetchWorker(await url(payload(campaignId, 'click', sentinel, { url: 'https://shop.example/' })), { redirect: 'manual' });
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe('https://shop.example/');
  await eventually('the sentinel click to be counted', async () => ((await counts(campaignId)).clicks >= 1 ? true : undefined));
}

const campaign = () => `cmp-track-${crypto.randomUUID()}`;

describe('tracking hits reach the campaign ledger', () => {
  it('counts a win at the clearing price once, however often the notice and its billing notice come', async () => {
    const cmp = campaign();
    const win = await url(payload(cmp, 'win', 'resp-1'), '?price=1.23');
    for (let i = 0; i < 3; i++) expect((await fetchWorker(win)).status).toBe(204);
    expect((await fetchWorker(await url(payload(cmp, 'bill', 'resp-1'), '?price=1.23'))).status).toBe(204);
    const pixel = await fetchWorker(await url(payload(cmp, 'imp', 'resp-1')));
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    await settle(cmp, 'sentinel');
    // One win, one impression, spend = $1.23 CPM for one impression (1 230 000 nanos), never the bid's $2.
    expect(await counts(cmp)).toEqual({ wins: 1, impressions: 1, clicks: 1, spendNanos: 1_230_000 });
  });

  it('charges the bid price when the exchange did not substitute the price, or sent one above the bid', async () => {
    const cmp = campaign();
    expect((await fetchWorker(await url(payload(cmp, 'win', 'r-a'), '?price=${AUCTION_PRICE}'))).status).toBe(204);
    expect((await fetchWorker(await url(payload(cmp, 'win', 'r-b'), '?price=9.99'))).status).toBe(204);
    expect((await fetchWorker(await url(payload(cmp, 'win', 'r-c'), '?price=not-a-price'))).status).toBe(204);
    await settle(cmp, 'sentinel');
    expect(await counts(cmp)).toMatchObject({ wins: 3, spendNanos: 3 * 2_000_000 });
  });

  it('refuses forged and expired links and counts none of them', async () => {
    const cmp = campaign();
    const good = await signToken(env.TRACKING_SECRET, payload(cmp, 'win', 'r-1'));
    const [body, sig] = good.split('.');
    // The payload changed (a higher price), the signature kept.
    const raw = JSON.parse(new TextDecoder().decode(base64UrlDecode(body ?? '') ?? new Uint8Array())) as Record<string, unknown>;
    const tampered = `${base64UrlEncode(new TextEncoder().encode(JSON.stringify({ ...raw, p: 50_000_000 })))}.${sig ?? ''}`;
    const otherKey = await signToken('some-other-secret-0123456789', payload(cmp, 'win', 'r-2'));
    const expired = await signToken(env.TRACKING_SECRET, payload(cmp, 'win', 'r-3', { exp: Date.now() - 1000 }));
    for (const [token, status, code] of [
      [tampered, 400, 'invalid_token'],
      [otherKey, 400, 'invalid_token'],
      [`${body ?? ''}.`, 400, 'invalid_token'],
      ['garbage', 400, 'invalid_token'],
      [expired, 410, 'token_expired'],
    ] as const) {
      const res = await fetchWorker(`${ORIGIN}/v1/t/${token}?price=1.00`);
      expect(res.status).toBe(status);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe(code);
    }
    await settle(cmp, 'sentinel');
    expect(await counts(cmp)).toEqual({ wins: 0, impressions: 0, clicks: 1, spendNanos: 0 });
  });

  it('records the placement of a real bid’s win notice', async () => {
    const user = `trk-${crypto.randomUUID()}`;
    const res = await post('/openrtb2/bid', {
      id: 'r1',
      imp: [{ id: '1', banner: { w: 300, h: 250 } }],
      site: { domain: 'news.example' },
      user: { buyeruid: user },
      tmax: 500,
    });
    expect(res.status).toBe(200);
    const answer = await res.json<{ bidid: string; seatbid: { bid: { nurl: string; cid: string }[] }[] }>();
    const bid = answer.seatbid[0]?.bid[0];
    expect(bid).toBeDefined();
    if (!bid) return;
    const nurl = bid.nurl.replace('${AUCTION_PRICE}', '0.80');
    expect((await fetchWorker(nurl)).status).toBe(204);
    const stub = ledgerStub(bid.cid);
    const kinds = () =>
      runInDurableObject(stub, (_i: CampaignLedger, state) => {
        const t = state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'notices'").toArray();
        if (t.length === 0) return undefined;
        const row = state.storage.sql.exec('SELECT kinds FROM notices WHERE key = ?', `${answer.bidid}|1`).toArray()[0];
        return typeof row?.kinds === 'number' ? row.kinds : undefined;
      });
    const seen = await eventually('the win notice to reach the ledger', kinds);
    expect(seen).toBe(NOTICE_BITS.win | SPENT_BIT);
  });
});
