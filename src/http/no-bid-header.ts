/** `X-Edgebid-No-Bid`: the distinct no-bid reasons of a response, e.g. `no_creative_fits,below_floor`. */
import type { SlotDecision } from '../core/engine/decide';

export function noBidSummary(decisions: readonly SlotDecision[]): string {
  const reasons = new Set<string>();
  for (const d of decisions) if (d.kind === 'no_bid') reasons.add(d.reason);
  return [...reasons].join(',') || 'none';
}
