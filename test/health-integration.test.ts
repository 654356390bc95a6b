import { fetchWorker } from './helpers';
import { describe, expect, it } from 'vitest';

describe('GET /healthz', () => {
  it('answers ok', async () => {
    const res = await fetchWorker('http://edge.test/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
