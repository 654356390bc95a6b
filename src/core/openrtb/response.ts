/**
 * Builds the OpenRTB 2.6 BidResponse from the engine's slot decisions: one bid per imp that
 * has a winner, markup rendered for its media (banner HTML, VAST, Native 1.2 JSON). Without any
 * bid the edge answers `204 No Content` (the spec's preferred no-bid), or, when the caller asked
 * for the explain trace, a BidResponse carrying `nbr` and the trace.
 */
import { dynamicFill } from '../creative/dynamic';
import { renderAd } from '../creative/render';
import type { SlotBid, SlotDecision } from '../engine/decide';
import type { ExplainTrace } from '../engine/explain';
import { requestNbr } from '../engine/no-bid';
import { microsToPrice } from '../engine/pricing';
import type { Slot } from '../engine/request-context';
import type { ProfileSource } from '../model';

export interface BidUrls {
  /** Win notice, carrying the `${AUCTION_PRICE}` macro for the exchange to fill. */
  readonly nurl: string;
  /** Billing notice (`burl`): the exchange calls it when the impression is billable. */
  readonly burl: string;
  readonly impressionUrl: string;
  readonly clickUrl: string;
}

export interface TrackedBid {
  readonly bid: SlotBid;
  readonly urls: BidUrls;
}

export interface BidResponseBid {
  id: string;
  impid: string;
  price: number;
  adm: string;
  adomain: string[];
  cid: string;
  crid: string;
  cat: string[];
  attr?: number[];
  w?: number;
  h?: number;
  mtype: 1 | 2 | 4;
  dealid?: string;
  nurl: string;
  burl: string;
  ext: { edgebid: { lineItemId: string } };
}

export interface BidResponse {
  id: string;
  bidid?: string;
  cur?: string;
  nbr?: number;
  seatbid?: [{ seat: string; bid: BidResponseBid[] }];
  ext?: { edgebid: { profileSource: ProfileSource; catalogVersion: number; trace?: ExplainTrace } };
}

export interface BuildResponseArgs {
  readonly requestId: string;
  readonly responseId: string;
  readonly currency: string;
  readonly seat: string;
  readonly catalogVersion: number;
  readonly decisions: readonly SlotDecision[];
  readonly slots: readonly Slot[];
  readonly profileSource: ProfileSource;
  /** The bids among `decisions`, each with its signed URLs (signing is async, so it happens at the edge). */
  readonly bids: readonly TrackedBid[];
  /** Present when the caller may see the explain trace. */
  readonly trace?: ExplainTrace;
}

/** `null` = answer 204. */
export function buildBidResponse(args: BuildResponseArgs): BidResponse | null {
  const ext = { edgebid: { profileSource: args.profileSource, catalogVersion: args.catalogVersion, ...(args.trace ? { trace: args.trace } : {}) } };
  if (args.bids.length === 0) {
    if (!args.trace) return null;
    const reasons = args.decisions.flatMap((d) => (d.kind === 'no_bid' ? [d.reason] : []));
    return { id: args.requestId, nbr: requestNbr(reasons), ext };
  }
  const slots = new Map(args.slots.map((s) => [s.id, s]));
  return {
    id: args.requestId,
    bidid: args.responseId,
    cur: args.currency,
    seatbid: [{ seat: args.seat, bid: args.bids.map((b, i) => toBid(b, i, args.responseId, slots.get(b.bid.slotId))) }],
    ext,
  };
}

function toBid({ bid: b, urls }: TrackedBid, index: number, responseId: string, slot: Slot | undefined): BidResponseBid {
  const { creative, lineItem } = b;
  if (!slot) throw new Error('unreachable: a bid for an imp that is not in the request');
  const ad = renderAd(creative, b.media, slot, urls, dynamicFill(creative, b.dynamic, b.dealSeeker));
  return {
    id: `${responseId}-${index}`,
    impid: b.slotId,
    price: microsToPrice(b.priceMicros),
    adm: ad.adm,
    adomain: [...lineItem.advertiser.domains],
    cid: lineItem.campaign.id,
    crid: creative.id,
    cat: [...new Set([...lineItem.advertiser.categories, ...creative.categories])],
    ...(creative.attributes.length > 0 ? { attr: [...creative.attributes] } : {}),
    ...(ad.w !== undefined && ad.h !== undefined ? { w: ad.w, h: ad.h } : {}),
    mtype: ad.mtype,
    ...(b.dealId !== undefined ? { dealid: b.dealId } : {}),
    nurl: urls.nurl,
    burl: urls.burl,
    ext: { edgebid: { lineItemId: lineItem.item.id } },
  };
}
