/**
 * The catalog as the hot path sees it: compiled once per version and cached in the isolate.
 * KV holds `catalog:current` (the live version number) and `catalog:v:<n>` (the documents).
 * After the first load, requests never wait on KV: a version check older than
 * CATALOG_REFRESH_SEC is refreshed in the background while the cached catalog keeps serving.
 */
import { compileCatalog, type CompiledCatalog } from '../core/catalog/compile';
import { DEMO_CATALOG } from '../core/catalog/demo-catalog';
import { parseCatalog } from '../core/catalog/catalog-schema';
import type { CatalogDocument } from '../core/model';
import { log } from '../log';

export const CURRENT_KEY = 'catalog:current';
export const versionKey = (version: number): string => `catalog:v:${version}`;

const EMPTY: CompiledCatalog = compileCatalog({
  version: 0,
  currency: 'USD',
  currencyRates: {},
  advertisers: [],
  campaigns: [],
  lineItems: [],
  creatives: [],
});

interface Cached {
  catalog: CompiledCatalog;
  checkedAtMs: number;
}

let cached: Cached | null = null;
let inflight: Promise<CompiledCatalog> | null = null;

export async function getCatalog(env: Env, waitUntil: (p: Promise<unknown>) => void, nowMs: number): Promise<CompiledCatalog> {
  if (cached) {
    const refreshMs = Number(env.CATALOG_REFRESH_SEC) * 1000;
    if (nowMs - cached.checkedAtMs >= refreshMs && !inflight) waitUntil(refresh(env, nowMs));
    return cached.catalog;
  }
  return refresh(env, nowMs);
}

function refresh(env: Env, nowMs: number): Promise<CompiledCatalog> {
  inflight ??= load(env, nowMs).finally(() => {
    inflight = null;
  });
  return inflight;
}

async function load(env: Env, nowMs: number): Promise<CompiledCatalog> {
  const current = await env.CATALOG.get(CURRENT_KEY);
  let version = current === null ? NaN : Number(current);
  if (current === null && env.DEMO_CATALOG === 'on') version = await publishCatalog(env, DEMO_CATALOG);
  if (cached && cached.catalog.version === version) {
    cached.checkedAtMs = nowMs;
    return cached.catalog;
  }
  const catalog = Number.isInteger(version) ? await loadVersion(env, version) : null;
  // A missing or broken version keeps the previous catalog serving rather than blanking the edge.
  cached = { catalog: catalog ?? cached?.catalog ?? EMPTY, checkedAtMs: nowMs };
  return cached.catalog;
}

async function loadVersion(env: Env, version: number): Promise<CompiledCatalog | null> {
  const raw = await env.CATALOG.get(versionKey(version), 'json');
  const parsed = parseCatalog(raw);
  if (!parsed.ok) {
    log('error', 'catalog_invalid', { version, issues: parsed.issues.length, firstPath: parsed.issues[0]?.path });
    return null;
  }
  return compileCatalog(parsed.value);
}

/** Writes a catalog document under its version and makes it current. Returns the version. */
export async function publishCatalog(env: Env, doc: CatalogDocument): Promise<number> {
  await env.CATALOG.put(versionKey(doc.version), JSON.stringify(doc));
  await env.CATALOG.put(CURRENT_KEY, String(doc.version));
  return doc.version;
}
