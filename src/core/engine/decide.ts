/**
 * decide(): the pure heart of the service. Per impression it takes the candidate line items
 * (from the index, or every line item for the linear baseline and for explain), drops those that
 * may not serve — status, flight, budget, targeting, deals, conversion suppression, frequency
 * caps, request blocks, creative fit, floor — prices the rest, and runs the auction: priority
 * tier first, then price, ties to auction order. Holdout users are not served; the line item that
 * would have won is recorded for lift. Time and randomness come in through the input, so the same
 * input always gives the same decision.
 */
import type { CompiledCatalog, CompiledLineItem } from '../catalog/compile';
import { creativeFits, type MediaKind } from '../creative/fit';
import type { Creative, DynamicData, ProfileSnapshot } from '../model';
import { segmentKey } from '../segments/segment-key';
import { candidates } from './candidate-index';
import { isMember, type EvalContext } from './expr';
import { scorer } from './lookalike';
import { moreInformative, NO_BID_REASONS, type NoBidReason } from './no-bid';
import { adjustmentFactor, priceFor } from './pricing';
import type { DealSpec, PacingState, RequestContext, Slot } from './request-context';
import { convertedRecently, frequencyCapped, inHoldout, stableUnit } from './suppression';

export interface DecisionInput {
  readonly request: RequestContext;
  readonly slots: readonly Slot[];
  /** `null` when there is no profile or behavioural use is not allowed. */
  readonly profile: ProfileSnapshot | null;
  /** Hashed user key: holdout groups and creative A/B arms. `null` when ids may not be used. */
  readonly userHash: string | null;
  /** Spend state per campaign id (budgets and pacing); absent = on pace, not exhausted. */
  readonly pacing?: (campaignId: string) => PacingState | undefined;
  readonly nowMs: number;
  /** Uniform in [0, 1): creative rotation for users without an id. */
  readonly rng: () => number;
  /** Record why every line item did or did not serve (evaluates all of them: slower). */
  readonly explain: boolean;
  /** `linear` evaluates every line item: the baseline the index is measured and tested against. */
  readonly engine?: 'index' | 'linear';
}

export interface TraceEntry {
  readonly lineItemId: string;
  readonly outcome: NoBidReason | 'candidate';
  readonly priceMicros?: number;
  readonly dealId?: string;
}

/** A held-out user's would-be winner: not served, counted for lift. */
export interface HeldOut {
  readonly lineItemId: string;
  readonly campaignId: string;
  readonly priceMicros: number;
}

export interface SlotBid {
  readonly slotId: string;
  readonly kind: 'bid';
  readonly lineItem: CompiledLineItem;
  readonly creative: Creative;
  readonly media: MediaKind;
  readonly priceMicros: number;
  readonly dealId?: string;
  /** What a dynamic creative may show (the winner's advertiser only). */
  readonly dynamic?: DynamicData;
  readonly dealSeeker: boolean;
  readonly heldOut?: HeldOut;
  readonly trace?: readonly TraceEntry[];
}

export interface SlotNoBid {
  readonly slotId: string;
  readonly kind: 'no_bid';
  readonly reason: NoBidReason;
  readonly heldOut?: HeldOut;
  readonly trace?: readonly TraceEntry[];
}

export type SlotDecision = SlotBid | SlotNoBid;

/** Built once per request, shared by its slots. */
interface RequestScope {
  readonly input: DecisionInput;
  readonly profile: ProfileSnapshot | null;
  readonly userHash: string | null;
  readonly blockedCats: ReadonlySet<string>;
  readonly blockedDomains: ReadonlySet<string>;
  readonly blockedApps: ReadonlySet<string>;
  readonly keywords: ReadonlySet<string>;
  readonly categories: ReadonlySet<string>;
  readonly score: (modelId: string) => number | null;
}

export function decide(catalog: CompiledCatalog, input: DecisionInput): SlotDecision[] {
  // An opted-out user is contextual: no profile, and no id (no holdout, no stable A/B arm).
  const optedOut = input.profile?.optedOut === true;
  const profile = optedOut ? null : input.profile;
  const { request } = input;
  const scope: RequestScope = {
    input,
    profile,
    userHash: optedOut ? null : input.userHash,
    blockedCats: new Set(request.blockedCategories),
    blockedDomains: new Set(request.blockedDomains),
    blockedApps: new Set(request.blockedApps),
    keywords: new Set(request.keywords),
    categories: new Set(request.inventory.categories),
    score: scorer(catalog.models, profile, input.nowMs),
  };
  return input.slots.map((slot) => decideSlot(catalog, slot, scope));
}

interface Contender {
  readonly li: CompiledLineItem;
  readonly priceMicros: number;
  readonly fitting: readonly Fit[];
  readonly deal: DealSpec | undefined;
}

interface Fit {
  readonly creative: Creative;
  readonly media: MediaKind;
}

function decideSlot(catalog: CompiledCatalog, slot: Slot, scope: RequestScope): SlotDecision {
  const { input } = scope;
  const early = slotReason(catalog, slot);
  if (early) return { slotId: slot.id, kind: 'no_bid', reason: early, ...(input.explain ? { trace: [] } : {}) };

  const ctx = evalContext(slot, scope);
  const exhaustive = input.explain || input.engine === 'linear';
  const positions = exhaustive ? catalog.lineItems.map((li) => li.pos) : candidates(catalog.index, ctx);
  const trace: TraceEntry[] = [];
  let served: Contender | null = null;
  let ghost: Contender | null = null;
  let reason: NoBidReason = 'no_targeting_match';
  for (const pos of positions) {
    const li = catalog.lineItems[pos];
    if (!li) continue;
    // Auction order: nothing further down can beat the best served bid once its priority is
    // lower or its maximum CPM cannot exceed that bid (ties go to the earlier line item).
    if (!exhaustive && served && (li.item.priority < served.li.item.priority || li.item.maxCpmMicros <= served.priceMicros)) break;
    const outcome = evaluate(li, slot, ctx, scope);
    if (input.explain) trace.push(traceEntry(li, outcome));
    if ('reason' in outcome) {
      reason = moreInformative(reason, outcome.reason);
      continue;
    }
    if (outcome.heldOut) {
      if (!ghost || beats(outcome.contender, ghost)) ghost = outcome.contender;
      continue;
    }
    if (!served || beats(outcome.contender, served)) served = outcome.contender;
  }
  if (!exhaustive && !served && !ghost && NO_BID_REASONS[reason].stage < NO_BID_REASONS.no_creative_fits.stage) {
    reason = reasonBeyondFormats(catalog, slot, ctx, scope, positions, reason);
  }
  // A held-out user is recorded against the line item that would have won in their place.
  const heldOut =
    ghost && (!served || beats(ghost, served))
      ? { heldOut: { lineItemId: ghost.li.item.id, campaignId: ghost.li.campaign.id, priceMicros: ghost.priceMicros } }
      : {};
  const traced = input.explain ? { trace } : {};
  if (!served) {
    return { slotId: slot.id, kind: 'no_bid', reason: 'heldOut' in heldOut ? 'holdout' : reason, ...heldOut, ...traced };
  }
  const fit = pickCreative(served, scope);
  const advertiserId = served.li.advertiser.id;
  // Own keys only: an advertiser id such as `constructor` must not reach the object's prototype.
  const dynamicByAdvertiser = scope.profile?.dynamic;
  const dynamic = dynamicByAdvertiser && Object.hasOwn(dynamicByAdvertiser, advertiserId) ? dynamicByAdvertiser[advertiserId] : undefined;
  return {
    slotId: slot.id,
    kind: 'bid',
    lineItem: served.li,
    creative: fit.creative,
    media: fit.media,
    priceMicros: served.priceMicros,
    ...(served.deal ? { dealId: served.deal.id } : {}),
    ...(dynamic ? { dynamic } : {}),
    dealSeeker: isMember(scope.profile, segmentKey('deal_seekers', advertiserId), input.nowMs),
    ...heldOut,
    ...traced,
  };
}

/**
 * The index leaves out line items none of whose creatives has a format the imp accepts, so on
 * its own it would report a size nobody has as `no_targeting_match`. When nothing it returned
 * got as far as creative choice, ask it again ignoring creative formats (line items without
 * creatives included) and evaluate what is new: the reason is then the linear scan's. Only such
 * no-bids pay for it.
 */
function reasonBeyondFormats(
  catalog: CompiledCatalog,
  slot: Slot,
  ctx: EvalContext,
  scope: RequestScope,
  evaluated: readonly number[],
  reason: NoBidReason,
): NoBidReason {
  const seen = new Set(evaluated);
  for (const pos of candidates(catalog.index, ctx, { anyFormat: true })) {
    const li = catalog.lineItems[pos];
    if (!li || seen.has(pos)) continue;
    const outcome = evaluate(li, slot, ctx, scope);
    // No creative of it fits this imp, so it cannot bid: only its reason counts.
    if ('reason' in outcome) reason = moreInformative(reason, outcome.reason);
  }
  return reason;
}

function slotReason(catalog: CompiledCatalog, slot: Slot): NoBidReason | null {
  if (slot.closed) return slot.closed;
  if (catalog.lineItems.length === 0) return 'no_line_items';
  if (!slot.banner && !slot.video && !slot.native) return 'unsupported_media';
  if (slot.floorMicros === null && slot.deals.every((d) => d.floorMicros === null)) return 'currency_unsupported';
  return null;
}

function evalContext(slot: Slot, scope: RequestScope): EvalContext {
  const formats = new Set<string>();
  if (slot.banner) {
    formats.add('banner');
    for (const s of slot.banner.sizes) formats.add(`${s.w}x${s.h}`);
  }
  if (slot.video) formats.add('video');
  if (slot.native) formats.add('native');
  return {
    request: scope.input.request,
    slot,
    nowMs: scope.input.nowMs,
    profile: scope.profile,
    formats,
    dealIds: new Set(slot.deals.map((d) => d.id)),
    keywords: scope.keywords,
    categories: scope.categories,
    score: scope.score,
  };
}

type Evaluation = { readonly reason: NoBidReason } | { readonly contender: Contender; readonly heldOut: boolean };

function evaluate(li: CompiledLineItem, slot: Slot, ctx: EvalContext, scope: RequestScope): Evaluation {
  const { campaign } = li;
  const { nowMs } = scope.input;
  if (!li.active) return { reason: 'inactive' };
  if ((campaign.startMs !== undefined && nowMs < campaign.startMs) || (campaign.endMs !== undefined && nowMs >= campaign.endMs)) {
    return { reason: 'out_of_flight' };
  }
  const pacing = scope.input.pacing?.(campaign.id);
  if (pacing?.exhausted) return { reason: 'budget_exhausted' };
  if (pacing?.paced) return { reason: 'paced' };
  if (!li.targeting(ctx)) return { reason: 'no_targeting_match' };
  const deal = dealFor(li, slot);
  if (slot.privateAuction && !deal) return { reason: 'not_in_deal' };
  if (convertedRecently(li, scope.profile, nowMs)) return { reason: 'suppressed_converted' };
  if (frequencyCapped(li, scope.profile, nowMs, scope.score)) return { reason: 'frequency_capped' };
  if (blocked(li, scope)) return { reason: 'blocked_by_request' };
  const fitting: Fit[] = [];
  for (const creative of li.creatives) {
    if (creative.categories.some((c) => scope.blockedCats.has(c))) continue;
    const media = creativeFits(creative, slot);
    if (media) fitting.push({ creative, media });
  }
  if (fitting.length === 0) return { reason: 'no_creative_fits' };
  const floor = deal ? deal.floorMicros : slot.floorMicros;
  if (floor === null) return { reason: 'currency_unsupported' };
  const price = priceFor(li, adjustmentFactor(li, ctx), pacing?.multiplier ?? 1, floor, scope.input.request.auctionType);
  if ('belowFloor' in price) return { reason: 'below_floor' };
  return {
    contender: { li, priceMicros: price.priceMicros, fitting, deal },
    heldOut: inHoldout(scope.userHash, campaign.id, campaign.holdoutPct),
  };
}

/**
 * Of the imp's deals the line item targets, the one with the lowest floor we can price (the
 * request's order breaks ties): which deal we bid in must not depend on how the exchange listed
 * them. A deal whose floor currency we cannot price is used only when it is the only match.
 */
function dealFor(li: CompiledLineItem, slot: Slot): DealSpec | undefined {
  let best: DealSpec | undefined;
  for (const d of slot.deals) {
    if (!li.dealIds.has(d.id)) continue;
    if (!best || (d.floorMicros !== null && (best.floorMicros === null || d.floorMicros < best.floorMicros))) best = d;
  }
  return best;
}

function blocked(li: CompiledLineItem, scope: RequestScope): boolean {
  return (
    li.domainsLower.some((d) => scope.blockedDomains.has(d)) ||
    li.advertiser.categories.some((c) => scope.blockedCats.has(c)) ||
    (li.advertiser.appBundles?.some((b) => scope.blockedApps.has(b)) ?? false)
  );
}

function beats(a: Contender, b: Contender): boolean {
  if (a.li.item.priority !== b.li.item.priority) return a.li.item.priority > b.li.item.priority;
  if (a.priceMicros !== b.priceMicros) return a.priceMicros > b.priceMicros;
  return a.li.pos < b.li.pos;
}

/**
 * Weighted rotation. A user with an id always lands on the same creative of a line item (a
 * stable A/B arm); anonymous traffic rotates at random.
 */
function pickCreative(c: Contender, scope: RequestScope): Fit {
  const first = c.fitting[0];
  if (!first) throw new Error('unreachable: a contender has a fitting creative');
  if (c.fitting.length === 1) return first;
  const total = c.fitting.reduce((sum, f) => sum + f.creative.weight, 0);
  const u = scope.userHash !== null ? stableUnit(scope.userHash, c.li.item.id) : scope.input.rng();
  let point = u * total;
  for (const f of c.fitting) {
    point -= f.creative.weight;
    if (point < 0) return f;
  }
  return c.fitting[c.fitting.length - 1] ?? first;
}

function traceEntry(li: CompiledLineItem, e: Evaluation): TraceEntry {
  if ('reason' in e) return { lineItemId: li.item.id, outcome: e.reason };
  const deal = e.contender.deal ? { dealId: e.contender.deal.id } : {};
  return { lineItemId: li.item.id, outcome: e.heldOut ? 'holdout' : 'candidate', priceMicros: e.contender.priceMicros, ...deal };
}
