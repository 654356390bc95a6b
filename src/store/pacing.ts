/**
 * The edge's view of campaign spend: each isolate caches the pacing documents the campaign
 * ledgers publish to KV (`pacing:<campaignId>`, in the catalog namespace) for every campaign of
 * the current catalog that has a budget, and re-reads them in the background at the catalog's
 * refresh interval — requests never wait on KV for pacing. The plan for a campaign is computed
 * per request from the cached figures, the catalog's current budget and the request's clock.
 *
 * Fails closed: a budgeted campaign whose figures this isolate has not loaded yet, or whose
 * document does not parse, does not bid (a cold isolate loses a few bids rather than spending a
 * budget that may be gone). A campaign the ledger never published for has spent nothing.
 *
 * Same rules as the catalog store: no request awaits a promise another request created, and a
 * background load is guarded by its start time, not a promise.
 */
import type { CompiledCatalog } from '../core/catalog/compile';
import type { PacingState } from '../core/engine/request-context';
import { ledgerBudget, pacingPlan, type LedgerBudget } from '../core/ledger/pacing';
import { pacingKey, parsePacingDoc, type PacingDoc } from '../core/ledger/pacing-doc';
import { config } from '../http/config';
import { log } from '../log';

/** KV's bulk read takes at most 100 keys. */
const BULK_MAX = 100;

export interface PacingKv {
  get(keys: string[], type: 'text'): Promise<Map<string, string | null>>;
}

export interface PacingSource {
  readonly CATALOG: PacingKv;
}

export interface PacingCall {
  readonly nowMs: number;
  readonly waitUntil: (p: Promise<unknown>) => void;
  readonly refreshSec: number;
  /** Seconds from spend to every edge acting on it (PACING_LAG_SEC). */
  readonly lagSec: number;
  /** Uniform in [0, 1): the throttle draw. */
  readonly rng: () => number;
}

/** Pacing for one request: what decide() asks, and the probability a campaign bid with. */
export interface RequestPacing {
  readonly lookup: (campaignId: string) => PacingState | undefined;
  /** The probability the campaign was let through with in this request (1 when not paced). */
  readonly probability: (campaignId: string) => number;
}

/** Budgets of a catalog by campaign id, computed once per compiled catalog. */
const budgetsByCatalog = new WeakMap<CompiledCatalog, ReadonlyMap<string, LedgerBudget>>();

export function catalogBudgets(catalog: CompiledCatalog): ReadonlyMap<string, LedgerBudget> {
  let budgets = budgetsByCatalog.get(catalog);
  if (!budgets) {
    const m = new Map<string, LedgerBudget>();
    for (const li of catalog.lineItems) {
      const b = ledgerBudget(li.campaign);
      if (b) m.set(li.campaign.id, b);
    }
    budgets = m;
    budgetsByCatalog.set(catalog, budgets);
  }
  return budgets;
}

const UNPACED: RequestPacing = { lookup: () => undefined, probability: () => 1 };
/** Fail closed until the spend figures are known, but say so: the budget is not spent. */
const NOT_LOADED: PacingState = { multiplier: 1, exhausted: false, paced: true };

export interface PacingStore {
  forRequest(source: PacingSource, catalog: CompiledCatalog, call: PacingCall): RequestPacing;
}

export function createPacingStore(): PacingStore {
  /** Figures per campaign id; null = the ledger has published nothing. Absent = not loaded. */
  let docs = new Map<string, PacingDoc | null>();
  let checkedAtMs = 0;
  let refreshStartedAtMs: number | null = null;

  async function load(source: PacingSource, ids: readonly string[]): Promise<Map<string, PacingDoc | null>> {
    const out = new Map<string, PacingDoc | null>();
    for (let i = 0; i < ids.length; i += BULK_MAX) {
      const chunk = ids.slice(i, i + BULK_MAX);
      const values = await source.CATALOG.get(chunk.map(pacingKey), 'text');
      for (const id of chunk) {
        const raw = values.get(pacingKey(id)) ?? null;
        if (raw === null) out.set(id, null);
        else {
          const doc = parseDoc(raw);
          if (doc) out.set(id, doc);
        }
      }
    }
    return out;
  }

  function refresh(source: PacingSource, ids: readonly string[], call: PacingCall): void {
    const intervalMs = call.refreshSec * 1000;
    const missing = ids.some((id) => !docs.has(id));
    if (!missing && call.nowMs - checkedAtMs < intervalMs) return;
    if (refreshStartedAtMs !== null && call.nowMs - refreshStartedAtMs < intervalMs) return;
    const startedAt = call.nowMs;
    refreshStartedAtMs = startedAt;
    call.waitUntil(
      (async () => {
        try {
          const loaded = await load(source, ids);
          // Campaigns that left the catalog drop out with the next full load.
          docs = loaded;
        } catch (err) {
          // Keep serving what is known; the next interval tries again.
          log('warn', 'pacing_refresh_failed', { error: err instanceof Error ? err.name : 'unknown' });
        } finally {
          checkedAtMs = startedAt;
          if (refreshStartedAtMs === startedAt) refreshStartedAtMs = null;
        }
      })(),
    );
  }

  return {
    forRequest(source, catalog, call) {
      const budgets = catalogBudgets(catalog);
      if (budgets.size === 0) return UNPACED;
      refresh(source, [...budgets.keys()], call);
      const drawn = new Map<string, { state: PacingState; p: number }>();
      const draw = (campaignId: string): { state: PacingState; p: number } | undefined => {
        const budget = budgets.get(campaignId);
        if (!budget) return undefined;
        let d = drawn.get(campaignId);
        if (!d) {
          const doc = docs.get(campaignId);
          if (doc === undefined) {
            d = { state: NOT_LOADED, p: 0 };
          } else {
            const plan = pacingPlan(budget, doc, call.nowMs, { lagSec: call.lagSec });
            // One draw per campaign and request, shared by its line items.
            const bid = !plan.exhausted && call.rng() < plan.bidProbability;
            d = { state: plan.exhausted ? { multiplier: 1, exhausted: true } : { multiplier: 1, exhausted: false, paced: !bid }, p: plan.bidProbability };
          }
          drawn.set(campaignId, d);
        }
        return d;
      };
      return {
        lookup: (campaignId) => draw(campaignId)?.state,
        probability: (campaignId) => draw(campaignId)?.p ?? 1,
      };
    },
  };
}

function parseDoc(raw: string): PacingDoc | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const doc = parsePacingDoc(json);
  if (!doc) log('warn', 'pacing_doc_invalid');
  return doc;
}

const shared = createPacingStore();

/** The Worker's pacing for one request (see the module comment for when it touches KV). */
export function pacingForRequest(source: PacingSource, catalog: CompiledCatalog, call: PacingCall): RequestPacing {
  return shared.forRequest(source, catalog, call);
}

/** Default of `PACING_LAG_SEC`: KV propagation (~60 s) + the catalog refresh (15 s) + the ledger pipeline. */
export const DEFAULT_PACING_LAG_SEC = 80;

export function pacingLagSec(env: Pick<Env, 'PACING_LAG_SEC'>): number {
  const n = Number(env.PACING_LAG_SEC);
  return env.PACING_LAG_SEC !== '' && Number.isFinite(n) && n >= 1 ? n : DEFAULT_PACING_LAG_SEC;
}

/** Pacing for a request on the bid path: cached figures, background refresh on the request's `waitUntil`. */
export function pacingFor(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, catalog: CompiledCatalog, nowMs: number): RequestPacing {
  return pacingForRequest(env, catalog, {
    nowMs,
    waitUntil: (p) => {
      ctx.waitUntil(p);
    },
    refreshSec: config(env).catalogRefreshSec,
    lagSec: pacingLagSec(env),
    rng: Math.random,
  });
}
