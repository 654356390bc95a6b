/**
 * Why a line item did not serve, and why a slot got no bid. One explicit table: our numbers
 * are fixed (never enum order) because they are logged and reported; `stage` orders them so the
 * most informative reason wins when line items failed for different reasons (one that got as far
 * as the floor says more than one whose targeting did not match); `nbr` is the OpenRTB no-bid
 * reason code (OpenRTB 3.0 list, which 2.6 refers to) where one applies, else 500 + our code
 * (the vendor-specific range the list reserves). Code 10 (`deals_only`) is retired: private
 * auctions are served by deal line items (`not_in_deal` when none matches); never reuse it.
 */

export const NO_BID_REASONS = {
  no_line_items: { code: 1, stage: 0, nbr: 501 },
  consent_required: { code: 16, stage: 1, nbr: 516 },
  seat_blocked: { code: 11, stage: 1, nbr: 511 },
  unsupported_media: { code: 2, stage: 1, nbr: 502 },
  currency_unsupported: { code: 3, stage: 1, nbr: 503 },
  inactive: { code: 4, stage: 2, nbr: 504 },
  out_of_flight: { code: 12, stage: 2, nbr: 512 },
  budget_exhausted: { code: 13, stage: 2, nbr: 513 },
  paced: { code: 18, stage: 2, nbr: 518 },
  no_targeting_match: { code: 5, stage: 3, nbr: 8 /* Unmatched User */ },
  not_in_deal: { code: 17, stage: 4, nbr: 517 },
  suppressed_converted: { code: 6, stage: 5, nbr: 506 },
  frequency_capped: { code: 14, stage: 5, nbr: 9 /* Daily User Cap Met: the closest IAB reason */ },
  blocked_by_request: { code: 7, stage: 6, nbr: 507 },
  no_creative_fits: { code: 8, stage: 7, nbr: 508 },
  below_floor: { code: 9, stage: 8, nbr: 509 },
  holdout: { code: 15, stage: 9, nbr: 515 },
} as const;

export type NoBidReason = keyof typeof NO_BID_REASONS;

/** The more informative of two reasons (ties keep the first). */
export function moreInformative(a: NoBidReason, b: NoBidReason): NoBidReason {
  return NO_BID_REASONS[b].stage > NO_BID_REASONS[a].stage ? b : a;
}

/** The OpenRTB `nbr` for a request none of whose slots got a bid: the most informative slot reason. */
export function requestNbr(reasons: readonly NoBidReason[]): number {
  const top = reasons.reduce<NoBidReason | null>((acc, r) => (acc === null ? r : moreInformative(acc, r)), null);
  return top === null ? 0 : NO_BID_REASONS[top].nbr;
}
