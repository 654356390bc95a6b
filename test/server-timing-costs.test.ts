import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { countedEnv, costSnapshot, resetCosts, type CostSnapshot } from '../src/http/cost-counters';
import { COST_DEBUG_PATH } from '../src/http/cost-debug';
import { TEST_TOKENS } from './auth-fixtures';
import { bannerRequest, event, fetchWorker, ORIGIN } from './helpers';

/** The worker with COST_COUNTERS=on, called directly (the suite's worker runs with it off). */
async function counted(path: string, init: RequestInit & { token: string }): Promise<Response> {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${init.token}`);
  const res = await app.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }), Object.assign({}, env, { COST_COUNTERS: 'on' }), ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const bid = (body: unknown): Promise<Response> => counted('/openrtb2/bid', { method: 'POST', body: JSON.stringify(body), token: TEST_TOKENS.exchange });

async function costs(): Promise<CostSnapshot> {
  const res = await counted(COST_DEBUG_PATH, { method: 'GET', token: TEST_TOKENS.admin });
  expect(res.status).toBe(200);
  return res.json<CostSnapshot>();
}

describe('cost counters', () => {
  it('are off by default: the route answers 404 and nothing is counted', async () => {
    resetCosts(Date.now());
    const res = await fetchWorker(`${ORIGIN}${COST_DEBUG_PATH}`);
    expect(res.status).toBe(404);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('not_found');
    expect((await fetchWorker(`${ORIGIN}/openrtb2/bid`, { method: 'POST', body: JSON.stringify(bannerRequest('cost-off-user')) })).status).toBe(200);
    expect(costSnapshot().sources).toEqual({});
  });

  it('count one Durable Object call per bid with a usable id, none for a contextual bid', async () => {
    // Warm the isolate's catalog first, so its KV reads are not part of what is asserted.
    expect((await bid(bannerRequest('cost-warm-user'))).status).toBe(200);
    expect((await counted(COST_DEBUG_PATH, { method: 'DELETE', token: TEST_TOKENS.admin })).status).toBe(204);
    for (const user of ['cost-user-1', 'cost-user-2', 'cost-user-3']) expect((await bid(bannerRequest(user))).status).toBe(200);
    expect((await bid(bannerRequest('cost-user-4', { regs: { coppa: 1 } }))).status).toBe(200);
    const route = (await costs()).sources['POST /openrtb2/bid'];
    expect(route?.invocations).toBe(4);
    expect(route?.durableObjects.USER_PROFILE).toEqual({ calls: 3, methods: { getSnapshot: 3 } });
  });

  it('count queue messages of an event batch and the admin route itself not at all', async () => {
    expect((await counted(COST_DEBUG_PATH, { method: 'DELETE', token: TEST_TOKENS.admin })).status).toBe(204);
    const events = [event('cost-events-user', 'product_view'), event('cost-events-user', 'add_to_cart')];
    const res = await counted('/v1/events', { method: 'POST', body: JSON.stringify({ events }), token: TEST_TOKENS.publisher });
    expect(res.status).toBe(202);
    const snapshot = await costs();
    expect(snapshot.sources['POST /v1/events']?.queues.PROFILE_EVENTS).toEqual({ sends: 1, messages: 2 });
    expect(Object.keys(snapshot.sources)).toEqual(['POST /v1/events']);
  });

  it('count KV reads per key (a bulk get of n keys is n reads), writes and deletes', async () => {
    resetCosts(Date.now());
    const kv = countedEnv(env, 'test').PROFILE_SNAPSHOTS;
    await kv.put('cost-key-a', '1');
    await kv.get(['cost-key-a', 'cost-key-b', 'cost-key-c']);
    await kv.get('cost-key-a');
    await kv.delete('cost-key-a');
    expect(costSnapshot().sources.test?.kv.PROFILE_SNAPSHOTS).toEqual({ calls: 4, readKeys: 4, writes: 1, deletes: 1, lists: 0 });
  });
});
