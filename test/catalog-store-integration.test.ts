/**
 * The catalog store against real KV: first load, background refresh, broken and missing versions,
 * and a KV that fails or hangs. Each case has its own store and its own key prefix in the real
 * namespace (a thin wrapper that delegates to it), so cases cannot see each other's catalog and the
 * worker's own `catalog:current` is untouched. Time is driven through `nowMs`, never by sleeping.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { DEMO_CATALOG } from '../src/core/catalog/demo-catalog';
import type { CatalogDocument } from '../src/core/model';
import { config } from '../src/http/config';
import {
  createCatalogStore,
  CURRENT_KEY,
  EMPTY_CATALOG,
  publishCatalog,
  versionKey,
  type CatalogCall,
  type CatalogKv,
  type CatalogSource,
} from '../src/store/catalog-store';
import { authHeaders, bannerRequest, ORIGIN } from './helpers';

const T0 = 1_700_000_000_000;
const REFRESH_SEC = 15;
const V = DEMO_CATALOG.version;

/** The real CATALOG namespace under a per-case prefix; counts reads; can be made to fail or hang. */
function realKv() {
  const prefix = `test-${crypto.randomUUID()}/`;
  const reads: string[] = [];
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  const kv: CatalogKv = {
    get: (key) => {
      reads.push(key);
      if (mode === 'fail') return Promise.reject(new Error('KV unavailable'));
      if (mode === 'hang') return new Promise<string | null>(() => undefined);
      return env.CATALOG.get(prefix + key);
    },
    put: (key, value) => env.CATALOG.put(prefix + key, value),
  };
  return {
    kv,
    source: { CATALOG: kv, DEMO_CATALOG: 'on' } satisfies CatalogSource,
    readsOf: (key: string) => reads.filter((k) => k === key).length,
    setMode: (m: typeof mode) => {
      mode = m;
    },
  };
}

/** Collects `waitUntil` work so a case can wait for the background refresh it started. */
function calls() {
  let pending: Promise<unknown>[] = [];
  return {
    at: (nowMs: number, coldLoadMs = 2000): CatalogCall => ({
      nowMs,
      waitUntil: (p) => {
        pending.push(p);
      },
      refreshSec: REFRESH_SEC,
      coldLoadMs,
    }),
    settle: async () => {
      const started = pending;
      pending = [];
      await Promise.all(started);
    },
    /** Forgets work that will never settle (a hung KV read). */
    abandon: () => {
      pending = [];
    },
    count: () => pending.length,
  };
}

const nextVersion = (version: number): CatalogDocument => ({ ...DEMO_CATALOG, version });

/** A warm store serving the demo catalog, as an isolate has after its first request. */
async function warmStore() {
  const kv = realKv();
  const c = calls();
  const store = createCatalogStore();
  expect((await store.get(kv.source, c.at(T0))).version).toBe(V);
  await c.settle();
  return { kv, c, store };
}

describe('a bid while the catalog cannot be loaded', () => {
  // First in the file: the module's shared store must still be cold for the route to try KV.
  const failingKv = new Proxy(env.CATALOG, {
    get: (target, prop) => (prop === 'get' ? () => Promise.reject(new Error('KV unavailable')) : (Reflect.get(target, prop) as unknown)),
  });

  it('answers 204 no_line_items on /openrtb2/bid, never a 5xx', async () => {
    const ctx = createExecutionContext();
    const req = new Request(`${ORIGIN}/openrtb2/bid`, { method: 'POST', body: JSON.stringify(bannerRequest('u-cold')), headers: authHeaders('/openrtb2/bid') });
    const res = await app.fetch(req, { ...env, CATALOG: failingKv }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(204);
    expect(res.headers.get('x-edgebid-no-bid')).toBe('no_line_items');
  });

  it('answers 200 with empty placements on /v1/decisions, never a 5xx', async () => {
    const ctx = createExecutionContext();
    const body = { userKey: 'u-cold', placements: [{ id: 'p', sizes: ['300x250'] }] };
    const req = new Request(`${ORIGIN}/v1/decisions`, { method: 'POST', body: JSON.stringify(body), headers: authHeaders('/v1/decisions') });
    const res = await app.fetch(req, { ...env, CATALOG: failingKv }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    const json = await res.json<{ decisions: { status: string; reason: string }[] }>();
    expect(json.decisions).toEqual([expect.objectContaining({ status: 'empty', reason: 'no_line_items' })]);
  });
});

describe('catalog config', () => {
  it('refreshes every 15 s by default and never more often than every second', () => {
    const refresh = (value: string | undefined) => config({ ...env, CATALOG_REFRESH_SEC: value } as Env).catalogRefreshSec;
    expect(refresh(undefined)).toBe(15);
    expect(refresh('')).toBe(15);
    expect(refresh('soon')).toBe(15);
    expect(refresh('0')).toBe(1);
    expect(refresh('0.25')).toBe(1);
    expect(refresh('60')).toBe(60);
  });
});

describe('catalog store', () => {
  it('publishes and serves the demo catalog on first load, then serves it without KV', async () => {
    const { kv, c, store } = await warmStore();
    const first = await store.get(kv.source, c.at(T0 + 1000));
    expect(first.lineItems.length).toBeGreaterThan(0);
    // Published for the other isolates too.
    expect(await kv.kv.get(CURRENT_KEY)).toBe(String(V));
    expect(await kv.kv.get(versionKey(V))).toBe(JSON.stringify(DEMO_CATALOG));
    const reads = kv.readsOf(CURRENT_KEY);
    expect(await store.get(kv.source, c.at(T0 + REFRESH_SEC * 1000 - 1))).toBe(first);
    expect(c.count()).toBe(0);
    expect(kv.readsOf(CURRENT_KEY)).toBe(reads);
  });

  it('picks up a newly published version after the refresh interval, in the background', async () => {
    const { kv, c, store } = await warmStore();
    await publishCatalog(kv.source, nextVersion(V + 1));
    expect((await store.get(kv.source, c.at(T0 + 14_999))).version).toBe(V);
    expect(c.count()).toBe(0);
    // Due: this request still gets the cached catalog at once; the refresh runs after it.
    expect((await store.get(kv.source, c.at(T0 + 15_000))).version).toBe(V);
    expect(c.count()).toBe(1);
    await c.settle();
    expect((await store.get(kv.source, c.at(T0 + 15_001))).version).toBe(V + 1);
  });

  it('keeps serving the previous catalog when the new version is invalid, and never fetches it again', async () => {
    const { kv, c, store } = await warmStore();
    await kv.kv.put(versionKey(V + 1), JSON.stringify({ ...nextVersion(V + 1), currency: 'dollars' }));
    await kv.kv.put(CURRENT_KEY, String(V + 1));
    for (let i = 1; i <= 3; i++) {
      await store.get(kv.source, c.at(T0 + i * 15_000));
      await c.settle();
      expect((await store.get(kv.source, c.at(T0 + i * 15_000 + 1))).version).toBe(V);
    }
    expect(kv.readsOf(CURRENT_KEY)).toBe(4);
    expect(kv.readsOf(versionKey(V + 1))).toBe(1);
  });

  it('refuses, once, a document whose version differs from its key', async () => {
    const { kv, c, store } = await warmStore();
    await kv.kv.put(versionKey(V + 1), JSON.stringify(nextVersion(V + 7)));
    await kv.kv.put(CURRENT_KEY, String(V + 1));
    for (const t of [15_000, 30_000]) {
      await store.get(kv.source, c.at(T0 + t));
      await c.settle();
    }
    expect((await store.get(kv.source, c.at(T0 + 30_001))).version).toBe(V);
    expect(kv.readsOf(versionKey(V + 1))).toBe(1);
  });

  it('keeps serving the previous catalog while the current version has no document, and retries it', async () => {
    const { kv, c, store } = await warmStore();
    await kv.kv.put(CURRENT_KEY, String(V + 1));
    await store.get(kv.source, c.at(T0 + 15_000));
    await c.settle();
    expect((await store.get(kv.source, c.at(T0 + 15_001))).version).toBe(V);
    expect(kv.readsOf(versionKey(V + 1))).toBe(1);
    // The document arrives (KV propagation): the next refresh serves it.
    await kv.kv.put(versionKey(V + 1), JSON.stringify(nextVersion(V + 1)));
    await store.get(kv.source, c.at(T0 + 30_000));
    await c.settle();
    expect((await store.get(kv.source, c.at(T0 + 30_001))).version).toBe(V + 1);
    expect(kv.readsOf(versionKey(V + 1))).toBe(2);
  });

  it('honours a rollback of catalog:current to an older version', async () => {
    const { kv, c, store } = await warmStore();
    await publishCatalog(kv.source, nextVersion(V + 1));
    await store.get(kv.source, c.at(T0 + 15_000));
    await c.settle();
    expect((await store.get(kv.source, c.at(T0 + 15_001))).version).toBe(V + 1);
    await kv.kv.put(CURRENT_KEY, String(V));
    await store.get(kv.source, c.at(T0 + 30_000));
    await c.settle();
    expect((await store.get(kv.source, c.at(T0 + 30_001))).version).toBe(V);
  });

  it('serves the empty catalog while nothing is published and DEMO_CATALOG is off, then the first publish', async () => {
    const kv = realKv();
    const c = calls();
    const store = createCatalogStore();
    const production = { CATALOG: kv.kv, DEMO_CATALOG: '' };
    expect(await store.get(production, c.at(T0))).toBe(EMPTY_CATALOG);
    expect(await kv.kv.get(CURRENT_KEY)).toBeNull();
    await publishCatalog(production, nextVersion(V + 4));
    // Within a second of KV saying "nothing", a cold isolate does not ask again (one look a second, not one per bid).
    const readsBefore = kv.readsOf(CURRENT_KEY);
    expect(await store.get(production, c.at(T0 + 500))).toBe(EMPTY_CATALOG);
    expect(kv.readsOf(CURRENT_KEY)).toBe(readsBefore);
    expect((await store.get(production, c.at(T0 + 1000))).version).toBe(V + 4);
  });

  it('answers the empty catalog at once when KV fails on a cold load, without caching it', async () => {
    const kv = realKv();
    const c = calls();
    const store = createCatalogStore();
    kv.setMode('fail');
    const started = Date.now();
    await expect(store.get(kv.source, c.at(T0))).resolves.toBe(EMPTY_CATALOG);
    expect(Date.now() - started).toBeLessThan(1000);
    await c.settle();
    // Not cached: a request a second later loads again and gets the real catalog.
    kv.setMode('ok');
    expect(await store.get(kv.source, c.at(T0 + 1))).toBe(EMPTY_CATALOG);
    expect((await store.get(kv.source, c.at(T0 + 1000))).version).toBe(V);
  });

  it('keeps a slow successful cold load even when a later look fails first', async () => {
    const kv = realKv();
    const c = calls();
    const store = createCatalogStore();
    // A: its look starts, and KV answers it after a delay.
    const a = store.get(kv.source, { ...c.at(T0), coldLoadMs: 5_000 });
    // B: starts later, its KV read fails at once and lands first.
    kv.setMode('fail');
    await expect(store.get(kv.source, c.at(T0))).resolves.toBe(EMPTY_CATALOG);
    kv.setMode('ok');
    expect((await a).version).toBe(V);
    await c.settle();
    expect((await store.get(kv.source, c.at(T0 + 1))).version).toBe(V);
  });

  it('answers the empty catalog within the budget when a cold load hangs, and the next request loads by itself', async () => {
    const kv = realKv();
    const c = calls();
    const store = createCatalogStore();
    kv.setMode('hang');
    const started = Date.now();
    expect(await store.get(kv.source, c.at(T0, 50))).toBe(EMPTY_CATALOG);
    expect(Date.now() - started).toBeLessThan(1000);
    c.abandon();
    kv.setMode('ok');
    expect((await store.get(kv.source, c.at(T0 + 1))).version).toBe(V);
  });

  it("does not wait on another request's hung cold load, and serves what it loaded", async () => {
    const kv = realKv();
    const c = calls();
    const store = createCatalogStore();
    kv.setMode('hang');
    // The KV read is issued synchronously, so only this request's read hangs.
    const stuck = store.get(kv.source, c.at(T0, 200));
    kv.setMode('ok');
    expect((await store.get(kv.source, c.at(T0 + 1))).version).toBe(V);
    // At its deadline the stuck request serves what the other one loaded.
    expect((await stuck).version).toBe(V);
    c.abandon();
  });

  it('answers the empty catalog at once when the budget is already spent', async () => {
    const kv = realKv();
    const c = calls();
    const store = createCatalogStore();
    expect(await store.get(kv.source, c.at(T0, 0))).toBe(EMPTY_CATALOG);
    // The load carried on in the background and warmed the store.
    await c.settle();
    expect((await store.get(kv.source, c.at(T0 + 1, 0))).version).toBe(V);
  });

  it('starts a new refresh after one that never finished, one interval after it started', async () => {
    const { kv, c, store } = await warmStore();
    kv.setMode('hang');
    await store.get(kv.source, c.at(T0 + 15_000));
    expect(c.count()).toBe(1);
    c.abandon();
    kv.setMode('ok');
    await publishCatalog(kv.source, nextVersion(V + 1));
    const reads = kv.readsOf(CURRENT_KEY);
    // Still inside the hung refresh's interval: no second one yet.
    expect((await store.get(kv.source, c.at(T0 + 29_999))).version).toBe(V);
    expect(c.count()).toBe(0);
    expect((await store.get(kv.source, c.at(T0 + 30_000))).version).toBe(V);
    await c.settle();
    expect(kv.readsOf(CURRENT_KEY)).toBe(reads + 1);
    expect((await store.get(kv.source, c.at(T0 + 30_001))).version).toBe(V + 1);
  });

  it('keeps serving and waits an interval when KV fails during a refresh', async () => {
    const { kv, c, store } = await warmStore();
    kv.setMode('fail');
    await store.get(kv.source, c.at(T0 + 15_000));
    await c.settle();
    expect((await store.get(kv.source, c.at(T0 + 15_001))).version).toBe(V);
    expect(c.count()).toBe(0);
  });
});
