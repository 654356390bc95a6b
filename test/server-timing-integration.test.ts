import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { TEST_TOKENS } from './auth-fixtures';
import { bannerRequest, ORIGIN, post } from './helpers';

const ENTRY = /^([a-z]+);dur=(\d+(?:\.\d+)?)$/;

/** The header's entries in order, each checked against the `name;dur=<ms>` form. */
function stages(header: string | null): [string, number][] {
  expect(header).not.toBeNull();
  return (header ?? '').split(', ').map((entry) => {
    const m = ENTRY.exec(entry);
    expect(m, `entry "${entry}"`).not.toBeNull();
    return [m?.[1] ?? '', Number(m?.[2])];
  });
}

/** With EXPLAIN off (as in production), calling the app directly with that one var changed. */
async function bidWithoutExplain(path: string, token: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${ORIGIN}${path}`, { method: 'POST', body: JSON.stringify(bannerRequest('timing-no-explain')), headers: { authorization: `Bearer ${token}` } }),
    { ...env, EXPLAIN: '' },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe('Server-Timing on POST /openrtb2/bid', () => {
  it('times every stage of a bid for a user with an id when asked with ?timing=1', async () => {
    const res = await post('/openrtb2/bid?timing=1', bannerRequest('timing-user-1'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json<unknown>()).toHaveProperty('seatbid');
    const entries = stages(res.headers.get('server-timing'));
    expect(entries.map(([name]) => name)).toEqual(['parse', 'consent', 'profile', 'decide', 'sign', 'serialise', 'total']);
    const ms = new Map(entries);
    // The laps follow one another, so together they fit inside the total (2-decimal rounding aside).
    const laps = ['parse', 'decide', 'sign', 'serialise'].reduce((sum, name) => sum + (ms.get(name) ?? NaN), 0);
    expect(laps).toBeLessThanOrEqual((ms.get('total') ?? NaN) + 0.05);
  });

  it('has no profile stage when nothing may be read (COPPA) and still times a no-bid', async () => {
    const res = await post('/openrtb2/bid?timing=1', bannerRequest('timing-user-2', { regs: { coppa: 1 }, imp: [{ id: '1', banner: { w: 1, h: 1 } }] }));
    expect(res.status).toBe(204);
    expect(stages(res.headers.get('server-timing')).map(([name]) => name)).toEqual(['parse', 'consent', 'decide', 'sign', 'serialise', 'total']);
  });

  it('comes with ?debug=1 too, next to the explain trace', async () => {
    const res = await post('/openrtb2/bid?debug=1', bannerRequest('timing-user-3'));
    expect(res.status).toBe(200);
    expect(stages(res.headers.get('server-timing')).length).toBe(7);
    expect(JSON.stringify(await res.json())).toContain('"trace"');
  });

  it('is absent unless asked for', async () => {
    const res = await post('/openrtb2/bid', bannerRequest('timing-user-4'));
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toBeNull();
    const other = await post('/openrtb2/bid?timing=yes', bannerRequest('timing-user-4'));
    expect(other.headers.get('server-timing')).toBeNull();
  });

  it('is only for callers who may see the explain trace: not an exchange where EXPLAIN is off, but the admin', async () => {
    const exchange = await bidWithoutExplain('/openrtb2/bid?timing=1', TEST_TOKENS.exchange);
    expect(exchange.status).toBe(200);
    expect(exchange.headers.get('server-timing')).toBeNull();
    const admin = await bidWithoutExplain('/openrtb2/bid?timing=1', TEST_TOKENS.admin);
    expect(admin.status).toBe(200);
    expect(stages(admin.headers.get('server-timing')).length).toBe(7);
  });
});
