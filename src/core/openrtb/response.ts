/**
 * Builds the OpenRTB 2.6 BidResponse from the engine's slot decisions. Returns null when no
 * slot has a bid: the edge answers that with `204 No Content`, the spec's preferred no-bid.
 */
import type { SlotBid, SlotDecision } from '../engine/decide';
import { microsToPrice } from '../engine/pricing';
import type { ProfileSource } from '../model';

export interface BidUrls {
  /** Win notice, carrying the `${AUCTION_PRICE}` macro for the exchange to fill. */
  readonly nurl: string;
  readonly impressionUrl: string;
  readonly clickUrl: string;
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
  w: number;
  h: number;
  mtype: 1;
  nurl: string;
  ext: { edgebid: { lineItemId: string } };
}

export interface BidResponse {
  id: string;
  bidid: string;
  cur: string;
  seatbid: [{ seat: string; bid: BidResponseBid[] }];
  ext: { edgebid: { profileSource: ProfileSource; catalogVersion: number; trace?: unknown } };
}

export interface BuildResponseArgs {
  readonly requestId: string;
  readonly responseId: string;
  readonly currency: string;
  readonly seat: string;
  readonly catalogVersion: number;
  readonly decisions: readonly SlotDecision[];
  readonly profileSource: ProfileSource;
  readonly explain: boolean;
  /** The bids among `decisions`, each with its signed URLs (signing is async, so it happens at the edge). */
  readonly bids: readonly TrackedBid[];
}

export interface TrackedBid {
  readonly bid: SlotBid;
  readonly urls: BidUrls;
}

export function buildBidResponse(args: BuildResponseArgs): BidResponse | null {
  if (args.bids.length === 0) return null;
  return {
    id: args.requestId,
    bidid: args.responseId,
    cur: args.currency,
    seatbid: [{ seat: args.seat, bid: args.bids.map((b, i) => toBid(b, i, args)) }],
    ext: {
      edgebid: {
        profileSource: args.profileSource,
        catalogVersion: args.catalogVersion,
        ...(args.explain ? { trace: args.decisions.map(traceOf) } : {}),
      },
    },
  };
}

function toBid({ bid: b, urls }: TrackedBid, index: number, args: BuildResponseArgs): BidResponseBid {
  const { creative, lineItem } = b;
  return {
    id: `${args.responseId}-${index}`,
    impid: b.slotId,
    price: microsToPrice(b.priceMicros),
    adm: renderMarkup(creative.markup, urls),
    adomain: [...lineItem.advertiser.domains],
    cid: lineItem.campaign.id,
    crid: creative.id,
    cat: [...new Set([...lineItem.advertiser.categories, ...creative.categories])],
    w: creative.w,
    h: creative.h,
    mtype: 1,
    nurl: urls.nurl,
    ext: { edgebid: { lineItemId: lineItem.item.id } },
  };
}

/** Fills our own macros; `${AUCTION_PRICE}` and other exchange macros are left for the exchange. */
export function renderMarkup(markup: string, urls: Pick<BidUrls, 'clickUrl' | 'impressionUrl'>): string {
  return markup.replaceAll('${CLICK_URL}', escapeAttr(urls.clickUrl)).replaceAll('${IMPRESSION_URL}', escapeAttr(urls.impressionUrl));
}

function escapeAttr(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

function traceOf(d: SlotDecision): unknown {
  return d.kind === 'bid'
    ? { impid: d.slotId, outcome: 'bid', lineItemId: d.lineItem.item.id, lineItems: d.trace }
    : { impid: d.slotId, outcome: 'no_bid', reason: d.reason, lineItems: d.trace };
}
