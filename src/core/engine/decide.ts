/**
 * decide(): the pure heart of the service. For each slot it walks the line items, drops those
 * that may not serve (status, flight, targeting, conversion suppression, request blocks,
 * creative fit, floor), prices the rest and picks the winner. Time and randomness come in
 * through the input, so the same input always gives the same decision.
 */
import type { CompiledCatalog, CompiledLineItem } from '../catalog/compile';
import type { Creative, ProfileSnapshot } from '../model';
import { moreInformative, type NoBidReason } from './no-bid';
import { adjustedCpmMicros } from './pricing';
import { matches, type TargetingContext } from './targeting';

export interface Size {
  readonly w: number;
  readonly h: number;
}

export interface Slot {
  readonly id: string;
  /** Banner sizes the slot accepts; empty = we cannot serve it (no size, or a media type we do not bid on). */
  readonly sizes: readonly Size[];
  /** Floor in catalog-currency micros; `null` when the floor's currency is unknown to us. */
  readonly floorMicros: number | null;
  /** Set when the request itself rules us out for this slot (e.g. a deals-only private auction). */
  readonly closed?: NoBidReason;
}

export interface DecisionInput {
  readonly slots: readonly Slot[];
  /** `null` when there is no profile or behavioural use is not allowed. */
  readonly profile: ProfileSnapshot | null;
  readonly blockedCategories: readonly string[];
  readonly blockedDomains: readonly string[];
  readonly nowMs: number;
  /** Uniform in [0, 1). */
  readonly rng: () => number;
  readonly explain: boolean;
}

export type LineItemOutcome =
  | { readonly lineItemId: string; readonly outcome: 'candidate'; readonly priceMicros: number }
  | { readonly lineItemId: string; readonly outcome: NoBidReason };

export interface SlotBid {
  readonly slotId: string;
  readonly kind: 'bid';
  readonly lineItem: CompiledLineItem;
  readonly creative: Creative;
  readonly priceMicros: number;
  readonly trace?: readonly LineItemOutcome[];
}

export interface SlotNoBid {
  readonly slotId: string;
  readonly kind: 'no_bid';
  readonly reason: NoBidReason;
  readonly trace?: readonly LineItemOutcome[];
}

export type SlotDecision = SlotBid | SlotNoBid;

export function decide(catalog: CompiledCatalog, input: DecisionInput): SlotDecision[] {
  const blockedCats = new Set(input.blockedCategories);
  const blockedDomains = new Set(input.blockedDomains.map((d) => d.toLowerCase()));
  return input.slots.map((slot) => decideSlot(catalog, slot, input, blockedCats, blockedDomains));
}

function decideSlot(
  catalog: CompiledCatalog,
  slot: Slot,
  input: DecisionInput,
  blockedCats: ReadonlySet<string>,
  blockedDomains: ReadonlySet<string>,
): SlotDecision {
  const early = slotReason(catalog, slot);
  if (early) return { slotId: slot.id, kind: 'no_bid', reason: early, ...(input.explain ? { trace: [] } : {}) };

  const trace: LineItemOutcome[] = [];
  let best: { li: CompiledLineItem; creative: Creative; priceMicros: number } | null = null;
  let reason: NoBidReason = 'no_targeting_match';
  for (const li of catalog.lineItems) {
    // Line items are sorted by priority: once we have a winner, lower priorities cannot beat it.
    if (best && li.item.priority < best.li.item.priority) break;
    const outcome = evaluate(li, slot, input, blockedCats, blockedDomains);
    if (input.explain) {
      trace.push(
        'priceMicros' in outcome
          ? { lineItemId: li.item.id, outcome: 'candidate', priceMicros: outcome.priceMicros }
          : { lineItemId: li.item.id, outcome: outcome.reason },
      );
    }
    if ('reason' in outcome) {
      reason = moreInformative(reason, outcome.reason);
      continue;
    }
    if (!best || outcome.priceMicros > best.priceMicros) best = { li, ...outcome };
  }
  const traced = input.explain ? { trace } : {};
  if (!best) return { slotId: slot.id, kind: 'no_bid', reason, ...traced };
  return { slotId: slot.id, kind: 'bid', lineItem: best.li, creative: best.creative, priceMicros: best.priceMicros, ...traced };
}

function slotReason(catalog: CompiledCatalog, slot: Slot): NoBidReason | null {
  if (slot.closed) return slot.closed;
  if (catalog.lineItems.length === 0) return 'no_line_items';
  if (slot.sizes.length === 0) return 'unsupported_media';
  if (slot.floorMicros === null) return 'currency_unsupported';
  return null;
}

type Evaluation = { reason: NoBidReason } | { creative: Creative; priceMicros: number };

function evaluate(
  li: CompiledLineItem,
  slot: Slot,
  input: DecisionInput,
  blockedCats: ReadonlySet<string>,
  blockedDomains: ReadonlySet<string>,
): Evaluation {
  const { item, campaign } = li;
  const ctx: TargetingContext = { profile: input.profile, nowMs: input.nowMs, advertiserId: li.advertiser.id };
  if (item.status !== 'active') return { reason: 'inactive' };
  if ((campaign.startMs !== undefined && input.nowMs < campaign.startMs) || (campaign.endMs !== undefined && input.nowMs >= campaign.endMs)) {
    return { reason: 'inactive' };
  }
  if (!matches(item.targeting, ctx)) return { reason: 'no_targeting_match' };
  if (convertedRecently(li, input.profile, input.nowMs)) return { reason: 'suppressed_converted' };
  if (li.domainsLower.some((d) => blockedDomains.has(d)) || li.advertiser.categories.some((c) => blockedCats.has(c))) {
    return { reason: 'blocked_by_request' };
  }
  const fitting = li.creatives.filter(
    (c) => slot.sizes.some((s) => s.w === c.w && s.h === c.h) && !c.categories.some((cat) => blockedCats.has(cat)),
  );
  const creative = pickWeighted(fitting, input.rng);
  if (!creative) return { reason: 'no_creative_fits' };
  const priceMicros = adjustedCpmMicros(item, ctx);
  if (priceMicros <= 0 || priceMicros < (slot.floorMicros ?? 0)) return { reason: 'below_floor' };
  return { creative, priceMicros };
}

function convertedRecently(li: CompiledLineItem, profile: ProfileSnapshot | null, nowMs: number): boolean {
  const windowSec = li.campaign.suppressConvertedWithinSec;
  if (windowSec <= 0 || !profile) return false;
  const at = profile.conversions[li.campaign.advertiserId];
  return at !== undefined && nowMs - at < windowSec * 1000;
}

function pickWeighted(creatives: readonly Creative[], rng: () => number): Creative | undefined {
  if (creatives.length <= 1) return creatives[0];
  const total = creatives.reduce((sum, c) => sum + c.weight, 0);
  let point = rng() * total;
  for (const c of creatives) {
    point -= c.weight;
    if (point < 0) return c;
  }
  return creatives[creatives.length - 1];
}
