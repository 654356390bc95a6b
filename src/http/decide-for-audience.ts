/**
 * The engine call both decision routes make: no bid at all when the consent gate says so,
 * otherwise `decide()` with the resolved profile and the isolate's pacing; then the bids and
 * held-out users go to the campaign ledgers (summed per isolate, sent after the response).
 */
import type { Context } from 'hono';
import type { CompiledCatalog } from '../core/catalog/compile';
import { decide, type SlotDecision } from '../core/engine/decide';
import type { RequestContext, Slot } from '../core/engine/request-context';
import { recordDecisions } from '../store/ledger-outbox';
import { pacingFor } from '../store/pacing';
import type { ResolvedAudience } from './audience';

export function decideForAudience(
  c: Context<{ Bindings: Env }>,
  catalog: CompiledCatalog,
  plan: { readonly request: RequestContext; readonly slots: readonly Slot[] },
  resolved: ResolvedAudience,
  nowMs: number,
  explain: boolean,
): SlotDecision[] {
  const pacing = pacingFor(c.env, c.executionCtx, catalog, nowMs);
  const decisions: SlotDecision[] =
    resolved.consent.mode === 'no_bid'
      ? plan.slots.map((s) => ({ slotId: s.id, kind: 'no_bid', reason: 'consent_required' }))
      : decide(catalog, {
          request: plan.request,
          slots: plan.slots,
          profile: resolved.profile.snapshot,
          userHash: resolved.userHash,
          pacing: pacing.lookup,
          nowMs,
          rng: Math.random,
          explain,
        });
  recordDecisions(c.env, c.executionCtx, decisions, resolved.userHash, pacing, nowMs);
  return decisions;
}
