/**
 * Every endpoint family against every kind of credential: none, wrong, malformed, another
 * family's, and the right one. Plus the wiring the handlers rely on (the principal on the context,
 * decision scope) and what a broken credential table does (503, never an open door).
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { assertMayDecideFor, authenticate, isAdmin, principalOf } from '../src/http/auth';
import { onError } from '../src/http/errors';
import { TEST_PRINCIPALS, TEST_TOKENS } from './auth-fixtures';
import { bannerRequest, event, fetchWorker, ORIGIN, post, type AuthChoice } from './helpers';

interface ErrorJson {
  error: { code: string; status: number; message: string; path?: string; issues?: { path: string; message: string }[] };
}

const decisionBody = { placements: [{ id: 'top-banner', sizes: ['300x250'] }], site: { domain: 'news.example' } };

/** One request per endpoint family, with the credential chosen by `auth`. */
const FAMILIES = {
  exchange: (auth: AuthChoice, init: RequestInit = {}) => post('/openrtb2/bid', bannerRequest(undefined), { auth, ...init }),
  decisions: (auth: AuthChoice, init: RequestInit = {}) => post('/v1/decisions', decisionBody, { auth, ...init }),
  events: (auth: AuthChoice, init: RequestInit = {}) =>
    post('/v1/events', { events: [event(`auth-${crypto.randomUUID()}`, 'page_view')] }, { auth, ...init }),
  admin: (auth: AuthChoice, init: RequestInit = {}) => post('/v1/users/auth-test-user-1/opt-out', {}, { auth, ...init }),
} as const;

const RIGHT: Record<keyof typeof FAMILIES, AuthChoice> = { exchange: 'exchange', decisions: 'publisher', events: 'publisher', admin: 'admin' };
const WRONG_KIND: Record<keyof typeof FAMILIES, AuthChoice[]> = {
  exchange: ['publisher'],
  decisions: ['exchange'],
  events: ['exchange'],
  admin: ['exchange', 'publisher'],
};

async function expectError(res: Response, status: number, code: string): Promise<ErrorJson> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = await res.json<ErrorJson>();
  expect(body.error).toMatchObject({ code, status });
  return body;
}

beforeAll(async () => {
  // The first request in a fresh isolate loads every module (seconds on this shared box).
  await fetchWorker(`${ORIGIN}/healthz`);
}, 60_000);

describe.each(Object.keys(FAMILIES) as (keyof typeof FAMILIES)[])('%s endpoints', (family) => {
  const call = FAMILIES[family];

  it('refuses a request without credentials with 401 and a Bearer challenge', async () => {
    const res = await call('none');
    await expectError(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="edgebid"');
  });

  it('refuses an unknown token and a malformed header with 401, echoing neither', async () => {
    const wrong = await call('none', { headers: { authorization: 'Bearer not-a-real-token-0123456789' } });
    expect(JSON.stringify(await expectError(wrong, 401, 'unauthorized'))).not.toContain('not-a-real-token');
    const basic = await call('none', { headers: { authorization: `Basic ${btoa(`user:${TEST_TOKENS.admin}`)}` } });
    await expectError(basic, 401, 'unauthorized');
    const bare = await call('none', { headers: { authorization: TEST_TOKENS[RIGHT[family] as keyof typeof TEST_TOKENS] } });
    await expectError(bare, 401, 'unauthorized');
  });

  it('refuses another family’s valid credential with 403', async () => {
    for (const auth of WRONG_KIND[family]) {
      const body = await expectError(await call(auth), 403, 'forbidden');
      expect(body.error.message).toContain('not allowed on this endpoint');
    }
  });

  it('lets the right credential through to the handler', async () => {
    const res = await call(RIGHT[family]);
    expect([401, 403, 503]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });

  it('lets the admin token through', async () => {
    const res = await call('admin');
    expect([401, 403, 503]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });
});

describe('the right credential reaches each handler', () => {
  it('bids for an exchange, decides for a publisher, queues a publisher’s events', async () => {
    expect([200, 204]).toContain((await FAMILIES.exchange('exchange')).status);
    expect((await FAMILIES.decisions('publisher')).status).toBe(200);
    expect((await FAMILIES.events('publisher')).status).toBe(202);
  });
});

describe('exchange token in the URL', () => {
  const bid = JSON.stringify(bannerRequest(undefined));

  it('is accepted from an exchange configured for it', async () => {
    const res = await fetchWorker(`${ORIGIN}/openrtb2/bid?auth=${TEST_TOKENS.urlExchange}`, { method: 'POST', body: bid, auth: 'none' });
    expect([200, 204]).toContain(res.status);
  });

  it('is refused from an exchange allowed headers only (its token may now sit in logs)', async () => {
    const res = await fetchWorker(`${ORIGIN}/openrtb2/bid?auth=${TEST_TOKENS.exchange}`, { method: 'POST', body: bid, auth: 'none' });
    await expectError(res, 401, 'unauthorized');
  });

  it('is never read on publisher or admin paths', async () => {
    const res = await fetchWorker(`${ORIGIN}/v1/decisions?auth=${TEST_TOKENS.urlExchange}`, {
      method: 'POST',
      body: JSON.stringify(decisionBody),
      auth: 'none',
    });
    await expectError(res, 401, 'unauthorized');
  });

  it('loses to the Authorization header when both are sent', async () => {
    const res = await fetchWorker(`${ORIGIN}/openrtb2/bid?auth=${TEST_TOKENS.urlExchange}`, {
      method: 'POST',
      body: bid,
      headers: { authorization: 'Bearer wrong-token-0123456789' },
    });
    await expectError(res, 401, 'unauthorized');
  });
});

describe('public and unlisted paths', () => {
  it('leaves /healthz and tracking links open', async () => {
    expect((await fetchWorker(`${ORIGIN}/healthz`, { auth: 'none' })).status).toBe(200);
    // A forged link is refused for what it is (400), not for missing credentials.
    await expectError(await fetchWorker(`${ORIGIN}/v1/t/garbage`, { auth: 'none' }), 400, 'invalid_token');
  });

  it('asks for the admin token on any path nobody listed, so a new route is never open by accident', async () => {
    await expectError(await fetchWorker(`${ORIGIN}/v1/admin/anything`, { auth: 'none' }), 401, 'unauthorized');
    await expectError(await fetchWorker(`${ORIGIN}/v1/reports/x`, { auth: 'publisher' }), 403, 'forbidden');
    await expectError(await fetchWorker(`${ORIGIN}/nope`, { auth: 'admin' }), 404, 'not_found');
  });

  it('checks credentials before reading a body (an anonymous caller cannot make us stream megabytes)', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        if (pulled > 64) controller.close();
      },
    });
    const res = await fetchWorker(`${ORIGIN}/v1/events`, { method: 'POST', body, auth: 'none' });
    await expectError(res, 401, 'unauthorized');
    expect(pulled).toBeLessThan(8);
  });
});

describe('what handlers get', () => {
  // A small app on the real middleware, to observe what the endpoints' handlers are given.
  const probe = new Hono<{ Bindings: Env }>();
  probe.use('*', authenticate());
  probe.post('/v1/decisions', async (c) => {
    const body = await c.req.json<{ site?: string; placements: string[] }>();
    assertMayDecideFor(c, body.site, body.placements);
    const p = principalOf(c);
    return c.json({ kind: p.kind, id: p.id, admin: isAdmin(c) });
  });
  probe.onError(onError);

  const ask = (token: string, body: unknown) =>
    probe.request('/v1/decisions', { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${token}` } }, env);

  it('exposes the authenticated principal and whether it is the admin', async () => {
    const pub = await ask(TEST_TOKENS.newsPublisher, { site: 'news.example', placements: ['top-banner'] });
    expect(await pub.json()).toEqual({ kind: 'publisher', id: 'test-news-publisher', admin: false });
    const admin = await ask(TEST_TOKENS.admin, { placements: ['anything'] });
    expect(await admin.json()).toEqual({ kind: 'admin', id: 'admin', admin: true });
  });

  it('refuses a publisher decisions for another site or placement with 403 naming the fields', async () => {
    const res = await ask(TEST_TOKENS.newsPublisher, { site: 'rival.example', placements: ['top-banner', 'footer'] });
    const body = await expectError(res, 403, 'forbidden');
    expect(body.error.issues).toEqual([
      { path: 'site.domain', message: 'is not one of your sites' },
      { path: 'placements[1].id', message: 'is not one of your placements' },
    ]);
    expect(JSON.stringify(body)).not.toContain('rival.example');
  });
});

describe('a broken credential table fails closed', () => {
  async function callWith(overrides: Partial<Record<'AUTH_PRINCIPALS' | 'ADMIN_TOKEN', string | undefined>>, path: string, token: string) {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`${ORIGIN}${path}`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${token}` } }),
      { ...env, ...overrides },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  it('answers 503 on every protected path when AUTH_PRINCIPALS is not valid, without echoing it', async () => {
    for (const path of ['/openrtb2/bid', '/v1/events', '/v1/users/x/opt-out']) {
      const res = await callWith({ AUTH_PRINCIPALS: '{"exchanges":[{"id":"x","tokens":["leaked-secret-token-123"]}' }, path, TEST_TOKENS.admin);
      const body = await expectError(res, 503, 'service_misconfigured');
      expect(body.error.message).toContain('AUTH_PRINCIPALS');
      expect(JSON.stringify(body)).not.toContain('leaked-secret');
    }
  });

  it('answers 503 naming the missing secret', async () => {
    const noTable = await callWith({ AUTH_PRINCIPALS: undefined }, '/openrtb2/bid', TEST_TOKENS.exchange);
    expect((await expectError(noTable, 503, 'service_misconfigured')).error.message).toContain('AUTH_PRINCIPALS');
    const noAdmin = await callWith({ ADMIN_TOKEN: undefined }, '/v1/users/x/opt-out', TEST_TOKENS.admin);
    expect((await expectError(noAdmin, 503, 'service_misconfigured')).error.message).toContain('ADMIN_TOKEN');
  });

  it('keeps privacy operations working without the exchange/publisher table', async () => {
    const res = await callWith({ AUTH_PRINCIPALS: undefined }, '/v1/users/x/opt-out', TEST_TOKENS.admin);
    expect([401, 403, 503]).not.toContain(res.status);
  });

  it('lets the admin read reports without the principals table, and tells anyone else it is missing', async () => {
    const admin = await callWith({ AUTH_PRINCIPALS: undefined }, '/v1/reports/campaigns/cmp-acme-retargeting', TEST_TOKENS.admin);
    expect([401, 403, 503]).not.toContain(admin.status);
    const other = await callWith({ AUTH_PRINCIPALS: undefined }, '/v1/reports/campaigns/cmp-acme-retargeting', TEST_TOKENS.acmeAdvertiser);
    expect((await expectError(other, 503, 'service_misconfigured')).error.message).toContain('AUTH_PRINCIPALS');
  });

  it('refuses a token removed from AUTH_PRINCIPALS although this isolate accepted it before (valid-token cache)', async () => {
    expect((await callWith({}, '/openrtb2/bid', TEST_TOKENS.exchange)).status).not.toBe(401);
    const revoked = JSON.stringify({ ...TEST_PRINCIPALS, exchanges: TEST_PRINCIPALS.exchanges.filter((e) => e.id !== 'test-exchange') });
    await expectError(await callWith({ AUTH_PRINCIPALS: revoked }, '/openrtb2/bid', TEST_TOKENS.exchange), 401, 'unauthorized');
    // and the table it was accepted under still accepts it
    expect((await callWith({}, '/openrtb2/bid', TEST_TOKENS.exchange)).status).not.toBe(401);
  });

  it('refuses a token shared between the admin and a publisher', async () => {
    const shared = JSON.stringify({ publishers: [{ id: 'p', tokens: [TEST_TOKENS.admin], sites: ['*'] }] });
    await expectError(await callWith({ AUTH_PRINCIPALS: shared }, '/v1/users/x/opt-out', TEST_TOKENS.admin), 503, 'service_misconfigured');
  });
});
