/**
 * The catalog for one request: the isolate's cached catalog, with the request's `waitUntil` for
 * background refreshes and the cold-load bound both routes use — at least the profile read's
 * budget (the two run side by side, so waiting that long costs no latency), else what is left of
 * `tmax` up to the first-load ceiling (without a catalog there is nothing to bid).
 */
import type { Context } from 'hono';
import type { CompiledCatalog } from '../core/catalog/compile';
import { profileBudgetMs } from '../core/engine/budget';
import { getCatalog } from '../store/catalog-store';
import type { Config } from './config';

export function catalogForRequest(
  c: Context<{ Bindings: Env }>,
  cfg: Config,
  timing: { readonly nowMs: number; readonly tmaxMs: number | undefined; readonly profileBudgetMs: number },
): Promise<CompiledCatalog> {
  const coldLoadMs = Math.max(timing.profileBudgetMs, profileBudgetMs(timing.tmaxMs, cfg.networkReserveMs, cfg.catalogFirstLoadMs));
  const waitUntil = (p: Promise<unknown>): void => {
    c.executionCtx.waitUntil(p);
  };
  return getCatalog(c.env, waitUntil, timing.nowMs, { refreshSec: cfg.catalogRefreshSec, coldLoadMs });
}
