/**
 * Bad input on every endpoint gets a 4xx JSON error with a stable code — never a 5xx, never a
 * stack trace, never an echo of what was sent.
 */
import { describe, expect, it } from 'vitest';
import { fetchWorker, ORIGIN } from './helpers';

const ENDPOINTS = ['/openrtb2/bid', '/v1/decisions', '/v1/events'] as const;

const deeplyNested = '['.repeat(5_000) + ']'.repeat(5_000);
const invalidUtf8 = new Uint8Array([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);

const BODIES: [string, BodyInit][] = [
  ['not JSON', 'hello'],
  ['truncated JSON', '{"id":'],
  ['invalid UTF-8', invalidUtf8],
  ['a JSON string', '"secret-value-123"'],
  ['a JSON number', '42'],
  ['an array', '[1,2,3]'],
  ['deeply nested arrays', deeplyNested],
  ['wrong types everywhere', JSON.stringify({ id: 1, imp: 'x', placements: 'x', events: 'x' })],
  ['huge numbers', JSON.stringify({ id: 'x', imp: [{ id: '1', banner: { w: 1e308, h: -1e308 } }], placements: [{ id: 'p', sizes: [{ w: 1e308, h: 1 }] }] })],
  ['prototype pollution keys', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'],
  ['oversized', `{"pad":"${'x'.repeat(600 * 1024)}"}`],
];

describe.each(ENDPOINTS)('bad input on POST %s', (path) => {
  it.each(BODIES)('%s → 4xx JSON error', async (_name, body) => {
    const res = await fetchWorker(`${ORIGIN}${path}`, { method: 'POST', body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('content-type')).toContain('application/json');
    const text = await res.text();
    const json = JSON.parse(text) as { error?: { code?: unknown; status?: unknown; message?: unknown } };
    expect(typeof json.error?.code).toBe('string');
    expect(json.error?.status).toBe(res.status);
    expect(text).not.toContain('secret-value-123');
    expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe('bad input on GET /v1/t/:token', () => {
  it.each(['x', 'a.b', 'a.b.c', '%00', 'eyJrIjoiY2xpY2sifQ.sig'])('token %s → 400 invalid_token', async (token) => {
    const res = await fetchWorker(`${ORIGIN}/v1/t/${token}`);
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('invalid_token');
  });
});
