/** `POST /v1/events`: accepted batches are queued (202); bad input is a 4xx JSON error, never a 5xx. */
import { describe, expect, it } from 'vitest';
import { event, eventually, post, profileStub } from './helpers';

interface ErrorJson {
  error: { code: string; path?: string; issues?: { path: string }[] };
}

describe('POST /v1/events', () => {
  it('accepts a valid batch with 202 and the profile picks it up through the queue', async () => {
    const user = `ev-${crypto.randomUUID()}`;
    const res = await post('/v1/events', { events: [event(user, 'page_view'), event(user, 'product_view', { productId: 'p1' })] });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2 });
    const { stub } = await profileStub(user);
    const snapshot = await eventually('the profile to be written', async () => (await stub.getSnapshot()) ?? undefined);
    expect(snapshot.version).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['not JSON', 'nope', 400, 'invalid_json', undefined],
    ['wrong top-level type', '[]', 400, 'invalid_request', '(root)'],
    ['missing events', '{}', 400, 'invalid_request', 'events'],
    ['unknown event type', JSON.stringify({ events: [{ id: 'a', type: 'teleport', userKey: 'user-42', ts: Date.now() }] }), 400, 'invalid_request', 'events[0].type'],
    ['missing id', JSON.stringify({ events: [{ type: 'page_view', userKey: 'user-42', ts: Date.now() }] }), 400, 'invalid_request', 'events[0].id'],
    ['missing user key', JSON.stringify({ events: [{ id: 'a', type: 'page_view', ts: Date.now() }] }), 400, 'invalid_request', 'events[0].userKey'],
    ['wrong ts type', JSON.stringify({ events: [{ id: 'a', type: 'page_view', userKey: 'user-42', ts: true }] }), 400, 'invalid_request', 'events[0].ts'],
    ['oversized', JSON.stringify({ events: [{ id: 'a'.repeat(600 * 1024) }] }), 413, 'payload_too_large', undefined],
  ])('rejects %s with %i %s', async (_what, body, status, code, path) => {
    const res = await post('/v1/events', body);
    expect(res.status).toBe(status);
    const { error } = await res.json<ErrorJson>();
    expect(error.code).toBe(code);
    if (path !== undefined) expect(error.path).toBe(path);
  });

  it('reports every bad event of a batch at once and queues none of it', async () => {
    const user = `bad-${crypto.randomUUID()}`;
    const res = await post('/v1/events', {
      events: [event(user, 'page_view'), { ...event(user, 'nope') }, { ...event(user, 'page_view'), ts: Date.now() + 3_600_000 }],
    });
    expect(res.status).toBe(400);
    const { error } = await res.json<ErrorJson>();
    expect(error.issues?.map((i) => i.path)).toEqual(['events[1].type', 'events[2].ts']);
    const { stub } = await profileStub(user);
    // Nothing of the batch was queued: give a wrongly accepted event time to arrive, then look.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await stub.getSnapshot()).toBeNull();
  });
});
