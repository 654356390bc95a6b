/**
 * The catalog as the hot path sees it: compiled once per version and cached in the isolate.
 * KV holds `catalog:current` (the live version number) and `catalog:v:<n>` (the documents).
 *
 * Rules, and why:
 * - No request ever awaits a promise another request created. In workerd a request's promises
 *   can stop settling when that request is cancelled (exchanges drop connections at tmax), so a
 *   shared in-flight load could hang every later request. Each cold request loads by itself and
 *   background refreshes are guarded by a start time, not a promise.
 * - The cold load is raced against the caller's budget; on timeout or failure the request gets
 *   the EMPTY catalog (a no-bid) and it is not cached. The load itself carries on under the
 *   request's `waitUntil`, so a slow KV costs a few no-bids, not an isolate that never warms up.
 * - Once an isolate has a catalog, requests never wait on KV: a version check older than the
 *   refresh interval runs in the background while the cached catalog keeps serving.
 * - Versions are immutable: one that failed validation is remembered and not fetched again; a
 *   document that is missing (KV propagation lag, most likely) is retried at the next refresh.
 */
import { compileCatalog, type CompiledCatalog } from '../core/catalog/compile';
import { DEMO_CATALOG } from '../core/catalog/demo-catalog';
import { parseCatalog } from '../core/catalog/catalog-schema';
import type { FieldIssue } from '../core/errors';
import type { CatalogDocument } from '../core/model';
import { log } from '../log';
import { TIMED_OUT, withDeadline } from './deadline';

export const CURRENT_KEY = 'catalog:current';
export const versionKey = (version: number): string => `catalog:v:${version}`;

/** The slice of KV the store uses: the real namespace in production, a thin wrapper in tests. */
export interface CatalogKv {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}

/** What the store reads from the Worker's env (`Env` satisfies it). */
export interface CatalogSource {
  readonly CATALOG: CatalogKv;
  /** `on` publishes the demo catalog when `catalog:current` is absent (local, staging). */
  readonly DEMO_CATALOG?: string | undefined;
}

export interface CatalogCall {
  readonly nowMs: number;
  /** Keeps background work alive after the response; the request's `waitUntil`. */
  readonly waitUntil: (p: Promise<unknown>) => void;
  /** How often the version is re-checked, in seconds (already floored by config). */
  readonly refreshSec: number;
  /**
   * Most time a cold load may hold this request. The routes give it the longer of the profile
   * read's budget (the two run side by side, so waiting that long costs no latency) and what is
   * left of tmax up to `catalogFirstLoadMs` (without a catalog there is nothing to bid).
   */
  readonly coldLoadMs: number;
}

export interface CatalogStore {
  get(source: CatalogSource, call: CatalogCall): Promise<CompiledCatalog>;
}

/** Served when nothing better is known; the engine answers `no_line_items`. Never cached. */
export const EMPTY_CATALOG: CompiledCatalog = compileCatalog({
  version: 0,
  currency: 'USD',
  currencyRates: {},
  advertisers: [],
  campaigns: [],
  lineItems: [],
  creatives: [],
  lookalikeModels: [],
});

/** How long a cold isolate answers EMPTY without asking KV again after KV had nothing to serve. */
const COLD_RETRY_MS = 1_000;

/** Enough to cover every bad publish in an isolate's life; bounded so a bad loop cannot grow it. */
const MAX_BROKEN_VERSIONS = 32;

/** The result of one look at KV. `keep` means: nothing new to serve, keep what you have. */
type Outcome =
  | { readonly kind: 'catalog'; readonly version: number; readonly catalog: CompiledCatalog }
  | { readonly kind: 'keep'; readonly reason: 'no_catalog' | 'version_missing' | 'invalid' }
  | { readonly kind: 'failed'; readonly reason: 'kv_error' };

/**
 * A store with its own cache. The module keeps one for the Worker (`getCatalog`); tests make their
 * own so their state does not leak between cases.
 */
export function createCatalogStore(): CatalogStore {
  let serving: { readonly catalog: CompiledCatalog; readonly version: number } | null = null;
  let checkedAtMs = 0;
  // Every look at KV takes a ticket when it starts; a result lands only if no later look has
  // already landed. Later-read-wins (not higher-version-wins) so a rollback of
  // `catalog:current` to an older version is honoured.
  let ticket = 0;
  let landedTicket = 0;
  // When the background refresh in progress started; null when none is. A start time rather
  // than a promise so a refresh that never settles stops blocking after one interval.
  let refreshStartedAtMs: number | null = null;
  let refreshTicket = 0;
  let landedCatalogTicket = 0;
  /** While cold and KV has just said there is nothing to serve, requests get EMPTY without asking again. */
  let coldRetryAtMs = 0;
  const broken = new Set<number>();

  function remember(version: number): void {
    if (broken.size >= MAX_BROKEN_VERSIONS) {
      const oldest = broken.values().next();
      if (!oldest.done) broken.delete(oldest.value);
    }
    broken.add(version);
  }

  /** The compiled catalog for `version` if already served (compile once per version). */
  const reuse = (version: number): Outcome | null =>
    serving?.version === version ? { kind: 'catalog', version, catalog: serving.catalog } : null;

  async function look(source: CatalogSource): Promise<Outcome> {
    try {
      const current = await source.CATALOG.get(CURRENT_KEY);
      if (current === null) {
        if (source.DEMO_CATALOG !== 'on') {
          log('warn', 'catalog_current_missing');
          return { kind: 'keep', reason: 'no_catalog' };
        }
        const version = await publishCatalog(source, DEMO_CATALOG);
        return reuse(version) ?? { kind: 'catalog', version, catalog: compileCatalog(DEMO_CATALOG) };
      }
      const version = Number(current);
      if (!Number.isSafeInteger(version) || version < 0) {
        log('error', 'catalog_invalid', { issues: 1, firstPath: CURRENT_KEY });
        return { kind: 'keep', reason: 'invalid' };
      }
      const known = reuse(version);
      if (known) return known;
      if (broken.has(version)) return { kind: 'keep', reason: 'invalid' };
      const raw = await source.CATALOG.get(versionKey(version));
      if (raw === null) {
        log('warn', 'catalog_version_missing', { version });
        return { kind: 'keep', reason: 'version_missing' };
      }
      // Another load may have compiled this version while this one was reading.
      return reuse(version) ?? validate(version, raw);
    } catch {
      return { kind: 'failed', reason: 'kv_error' };
    }
  }

  function validate(version: number, raw: string): Outcome {
    const issues = documentIssues(version, raw);
    if (issues.ok) return { kind: 'catalog', version, catalog: compileCatalog(issues.value) };
    remember(version);
    log('error', 'catalog_invalid', { version, issues: issues.issues.length, firstPath: issues.issues[0]?.path });
    return { kind: 'keep', reason: 'invalid' };
  }

  /**
   * Lands a look's outcome; returns what to serve, if anything. Among catalogs the later look
   * wins (so a rollback of `catalog:current` sticks), but a later look that found nothing never
   * discards an earlier one's catalog — least of all while the isolate has none.
   */
  function land(myTicket: number, outcome: Outcome, nowMs: number): CompiledCatalog | null {
    if (outcome.kind === 'catalog' && (serving === null || myTicket > landedCatalogTicket)) {
      landedCatalogTicket = myTicket;
      serving = { catalog: outcome.catalog, version: outcome.version };
    }
    if (myTicket > landedTicket) {
      landedTicket = myTicket;
      // Also after a failure: the next look waits one interval instead of hammering a sick KV.
      checkedAtMs = nowMs;
    }
    if (serving === null && outcome.kind !== 'catalog') coldRetryAtMs = nowMs + COLD_RETRY_MS;
    return serving?.catalog ?? null;
  }

  function refreshInBackground(source: CatalogSource, call: CatalogCall): void {
    const intervalMs = call.refreshSec * 1000;
    if (call.nowMs - checkedAtMs < intervalMs) return;
    if (refreshStartedAtMs !== null && call.nowMs - refreshStartedAtMs < intervalMs) return;
    const myTicket = ++ticket;
    refreshStartedAtMs = call.nowMs;
    refreshTicket = myTicket;
    call.waitUntil(
      (async () => {
        const outcome = await look(source);
        if (outcome.kind === 'failed') log('warn', 'catalog_refresh_failed', { reason: outcome.reason });
        land(myTicket, outcome, call.nowMs);
        if (refreshTicket === myTicket) refreshStartedAtMs = null;
      })(),
    );
  }

  async function coldLoad(source: CatalogSource, call: CatalogCall): Promise<CompiledCatalog> {
    const myTicket = ++ticket;
    const work = (async () => {
      const outcome = await look(source);
      const catalog = land(myTicket, outcome, call.nowMs);
      if (!catalog && outcome.kind !== 'catalog') log('warn', 'catalog_load_failed', { reason: outcome.reason });
      return catalog;
    })();
    // Finishes the load after this request stops waiting, so the isolate still warms up.
    call.waitUntil(work);
    const catalog = await withDeadline(work, call.coldLoadMs);
    if (catalog === TIMED_OUT) {
      log('warn', 'catalog_load_failed', { reason: 'timeout', budgetMs: call.coldLoadMs });
      // Another request's load may have landed meanwhile.
      return serving?.catalog ?? EMPTY_CATALOG;
    }
    return catalog ?? EMPTY_CATALOG;
  }

  return {
    get(source, call) {
      if (serving) {
        refreshInBackground(source, call);
        return Promise.resolve(serving.catalog);
      }
      // Nothing published, a broken version, or a failing KV: one look a second per isolate, not one per bid.
      if (call.nowMs < coldRetryAtMs) return Promise.resolve(EMPTY_CATALOG);
      return coldLoad(source, call);
    },
  };
}

/** The document under `catalog:v:<version>`, validated; its own `version` must match the key. */
function documentIssues(version: number, raw: string): { ok: true; value: CatalogDocument } | { ok: false; issues: FieldIssue[] } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, issues: [{ path: '(root)', message: 'not JSON' }] };
  }
  const parsed = parseCatalog(json);
  if (!parsed.ok) return parsed;
  // A mismatch means the document was written by hand under the wrong key: which number is right
  // is unknowable, and responses report the version, so it is refused like any invalid document.
  if (parsed.value.version !== version) return { ok: false, issues: [{ path: 'version', message: 'does not match its key' }] };
  return parsed;
}

const shared = createCatalogStore();

/** The Worker's catalog for this request; see the module comment for when it touches KV. */
export function getCatalog(
  env: CatalogSource,
  waitUntil: (p: Promise<unknown>) => void,
  nowMs: number,
  timing: { readonly refreshSec: number; readonly coldLoadMs: number },
): Promise<CompiledCatalog> {
  return shared.get(env, { nowMs, waitUntil, ...timing });
}

/** Writes a catalog document under its version and makes it current. Returns the version. */
export async function publishCatalog(env: Pick<CatalogSource, 'CATALOG'>, doc: CatalogDocument): Promise<number> {
  await env.CATALOG.put(versionKey(doc.version), JSON.stringify(doc));
  await env.CATALOG.put(CURRENT_KEY, String(doc.version));
  return doc.version;
}
