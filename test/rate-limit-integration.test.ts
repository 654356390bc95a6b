/**
 * Rate limits on the events and tracking endpoints, with the real Rate Limiting binding as
 * miniflare runs it. This file runs in its own project (`workers-limits`, vitest.config.ts) where
 * every limit is 3 requests per 10 s window, so nothing else shares its counters.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_PERIOD_SEC } from '../src/http/rate-limit';
import { signToken, TRACKING_TTL_MS, type TrackingPayload } from '../src/http/tracking-token';
import { TEST_IP_PROBE_TOKENS } from './auth-fixtures';
import { event, fetchWorker, ORIGIN } from './helpers';

const LIMIT = 3;
const WINDOW_MS = RATE_LIMIT_PERIOD_SEC * 1000;

interface ErrorJson {
  error: { code: string; status: number; message: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Locally the binding counts in fixed windows aligned to the epoch. A test that fills a counter
 * starts early in a window, so its requests all land in the same one.
 */
async function startOfAWindow(): Promise<void> {
  const left = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (left < 6_000) await sleep(left + 50);
}

function postEvents(headers: Record<string, string>, auth: 'limitedPublisher' | 'none' = 'limitedPublisher') {
  return fetchWorker(`${ORIGIN}/v1/events`, {
    method: 'POST',
    body: JSON.stringify({ events: [event(`rl-${crypto.randomUUID()}`, 'page_view')] }),
    headers,
    auth,
  });
}

async function expect429(res: Response): Promise<void> {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe(String(RATE_LIMIT_PERIOD_SEC));
  const body = await res.json<ErrorJson>();
  expect(body.error).toMatchObject({ code: 'rate_limited', status: 429 });
}

beforeAll(async () => {
  await fetchWorker(`${ORIGIN}/healthz`); // the first request loads every module
}, 60_000);

describe('POST /v1/events per publisher', () => {
  it('answers 429 with Retry-After past the limit, and accepts again in the next window', async () => {
    await startOfAWindow();
    for (let i = 0; i < LIMIT; i++) expect((await postEvents({})).status).toBe(202);
    await expect429(await postEvents({}));
    // Still refused for the rest of the window, not just once.
    await expect429(await postEvents({}));

    await sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 50);
    expect((await postEvents({})).status).toBe(202);
  }, 30_000);
});

describe('POST /v1/events per client IP', () => {
  it('counts one address across publishers; another address has its own counter', async () => {
    await startOfAWindow();
    const probe = (i: number, ip: string) =>
      postEvents({ authorization: `Bearer ${TEST_IP_PROBE_TOKENS[i] ?? ''}`, 'cf-connecting-ip': ip }, 'none');
    for (let i = 0; i < LIMIT; i++) expect((await probe(i, '203.0.113.9')).status).toBe(202);
    // A fourth publisher, fresh counter of its own, from the same address.
    await expect429(await probe(3, '203.0.113.9'));
    expect((await probe(4, '203.0.113.10')).status).toBe(202);
  }, 30_000);
});

describe('GET /v1/t/:token per client IP', () => {
  const hit = (ip: string) => fetchWorker(`${ORIGIN}/v1/t/not-a-token`, { headers: { 'cf-connecting-ip': ip } });

  it('limits one IPv6 /64 as one client, and leaves other networks alone', async () => {
    await startOfAWindow();
    // Under the limit a hit is judged on its token (this one is forged: 400).
    expect((await hit('2001:db8:aa:1::1')).status).toBe(400);
    expect((await hit('2001:db8:aa:1::2')).status).toBe(400);
    expect((await hit('2001:db8:aa:1:ffff:ffff:ffff:ffff')).status).toBe(400);
    await expect429(await hit('2001:0db8:00aa:0001::9'));
    expect((await hit('2001:db8:aa:2::1')).status).toBe(400);
    expect((await hit('198.51.100.20')).status).toBe(400);
  }, 30_000);

  it('does not count valid exchange win and billing notices, which come from few server IPs', async () => {
    await startOfAWindow();
    const ip = '192.0.2.77';
    const token = (k: TrackingPayload['k'], b: string) =>
      signToken(env.TRACKING_SECRET, { k, b, i: '1', li: 'li-rl', cr: 'cr-rl', cmp: `cmp-rl-${crypto.randomUUID()}`, adv: 'adv-rl', p: 1_000_000, exp: Date.now() + TRACKING_TTL_MS });
    const get = async (t: string) => fetchWorker(`${ORIGIN}/v1/t/${t}?price=0.5`, { headers: { 'cf-connecting-ip': ip } });
    for (let i = 0; i < LIMIT * 3; i++) expect((await get(await token(i % 2 === 0 ? 'win' : 'bill', `rl-${i}`))).status).toBe(204);
    // Impressions and forged tokens from that address are still counted, from zero.
    expect((await get(await token('imp', 'rl-imp'))).status).toBe(200);
    expect((await get('not-a-token')).status).toBe(400);
    const expiredWin = await signToken(env.TRACKING_SECRET, { k: 'win', b: 'rl-old', i: '1', li: 'l', cr: 'c', cmp: 'cmp-rl-old', adv: 'a', p: 1, exp: Date.now() - 1 });
    expect((await get(expiredWin)).status).toBe(410);
    await expect429(await get('not-a-token'));
    // Past the limit, a valid win notice still gets through.
    expect((await get(await token('win', 'rl-last'))).status).toBe(204);
  }, 30_000);

  it('skips the per-IP limit when there is no usable client address (never one shared bucket)', async () => {
    for (let i = 0; i < LIMIT + 2; i++) {
      expect((await fetchWorker(`${ORIGIN}/v1/t/not-a-token`, { headers: { 'cf-connecting-ip': 'garbage' } })).status).toBe(400);
    }
  });
});
