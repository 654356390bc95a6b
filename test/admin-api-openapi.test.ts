/**
 * `/openapi.json` from the running worker, checked against the routes the app really has: every
 * admin and publisher route the document should cover is in it, with the same methods, and
 * nothing in it is a route the app lacks.
 */
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { KIND_LIST } from '../src/core/catalog/admin-kinds';
import { fetchWorker, ORIGIN } from './helpers';

const DOCUMENTED_ADMIN = new Set([...KIND_LIST.map((k) => k.path), 'catalog']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** `METHOD /path/{param}` for every route the document is meant to cover. */
function appRoutes(): string[] {
  return app.routes
    .filter((r) => METHODS.has(r.method))
    .filter((r) => {
      const m = /^\/v1\/admin\/([^/]+)/.exec(r.path);
      return (m?.[1] !== undefined && DOCUMENTED_ADMIN.has(m[1])) || r.path === '/v1/decisions' || r.path === '/v1/events';
    })
    .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}').replace(/\/$/, '')}`);
}

describe('GET /openapi.json', () => {
  it('serves an OpenAPI 3.1 document covering exactly the admin and publisher routes', async () => {
    const res = await fetchWorker(`${ORIGIN}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const doc = await res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => METHODS.has(k.toUpperCase()))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect([...new Set(appRoutes())].sort()).toEqual(documented.sort());
  });

  it('is public: integrators read it before they hold a token', async () => {
    expect((await fetchWorker(`${ORIGIN}/openapi.json`, { auth: 'none' })).status).toBe(200);
  });

  it('answers other methods with 405', async () => {
    expect((await fetchWorker(`${ORIGIN}/openapi.json`, { method: 'POST' })).status).toBe(405);
  });
});
