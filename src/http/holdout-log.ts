/**
 * Holdout users are not served; the line item that would have won is logged so lift can be
 * counted (campaign and line item ids only: no user data). The ledger issue turns these into
 * report counters.
 */
import type { SlotDecision } from '../core/engine/decide';
import { log } from '../log';

export function logHoldouts(decisions: readonly SlotDecision[]): void {
  for (const d of decisions) {
    if (d.heldOut) log('info', 'holdout', { campaignId: d.heldOut.campaignId, lineItemId: d.heldOut.lineItemId });
  }
}
