/**
 * The explain trace: per impression, every line item with the stage that dropped it (or its
 * price as a candidate), our reason code and the OpenRTB `nbr` where one applies; and what the
 * request allowed (consent, profile source). Line-item-level detail reveals the catalog and the
 * user's state, so the edges only attach it for operators (see the README's Explain section).
 */
import type { SlotDecision, TraceEntry } from './decide';
import { NO_BID_REASONS } from './no-bid';

export interface ExplainMeta {
  readonly consent: { readonly mode: string; readonly reason: string; readonly checks: readonly string[] };
  readonly profileSource: string;
  readonly catalogVersion: number;
}

export interface ExplainedLineItem {
  readonly lineItemId: string;
  readonly outcome: string;
  readonly code?: number;
  readonly nbr?: number;
  readonly priceMicros?: number;
  readonly dealId?: string;
}

export interface ExplainedSlot {
  readonly impid: string;
  readonly outcome: 'bid' | 'no_bid';
  readonly lineItemId?: string;
  readonly priceMicros?: number;
  readonly reason?: string;
  readonly code?: number;
  readonly nbr?: number;
  readonly heldOut?: { readonly lineItemId: string; readonly campaignId: string };
  readonly lineItems: readonly ExplainedLineItem[];
}

export interface ExplainTrace extends ExplainMeta {
  readonly slots: readonly ExplainedSlot[];
}

export function explainTrace(decisions: readonly SlotDecision[], meta: ExplainMeta): ExplainTrace {
  return { ...meta, slots: decisions.map(explainSlot) };
}

function explainSlot(d: SlotDecision): ExplainedSlot {
  const lineItems = (d.trace ?? []).map(explainEntry);
  const heldOut = d.heldOut ? { heldOut: { lineItemId: d.heldOut.lineItemId, campaignId: d.heldOut.campaignId } } : {};
  if (d.kind === 'bid') {
    return { impid: d.slotId, outcome: 'bid', lineItemId: d.lineItem.item.id, priceMicros: d.priceMicros, ...heldOut, lineItems };
  }
  const r = NO_BID_REASONS[d.reason];
  return { impid: d.slotId, outcome: 'no_bid', reason: d.reason, code: r.code, nbr: r.nbr, ...heldOut, lineItems };
}

function explainEntry(e: TraceEntry): ExplainedLineItem {
  const price = e.priceMicros !== undefined ? { priceMicros: e.priceMicros } : {};
  const deal = e.dealId !== undefined ? { dealId: e.dealId } : {};
  if (e.outcome === 'candidate') return { lineItemId: e.lineItemId, outcome: 'candidate', ...price, ...deal };
  const r = NO_BID_REASONS[e.outcome];
  return { lineItemId: e.lineItemId, outcome: e.outcome, code: r.code, nbr: r.nbr, ...price, ...deal };
}
