/**
 * Why a slot got no bid. Numbers are fixed and explicit (never enum order) because they are
 * logged and reported; `stage` orders them so the most informative reason wins when line items
 * failed for different reasons (a line item that got as far as the floor says more than one
 * whose targeting did not match).
 */

export const NO_BID_REASONS = {
  no_line_items: { code: 1, stage: 0 },
  deals_only: { code: 10, stage: 1 },
  seat_blocked: { code: 11, stage: 1 },
  unsupported_media: { code: 2, stage: 1 },
  currency_unsupported: { code: 3, stage: 1 },
  inactive: { code: 4, stage: 2 },
  no_targeting_match: { code: 5, stage: 3 },
  suppressed_converted: { code: 6, stage: 4 },
  blocked_by_request: { code: 7, stage: 5 },
  no_creative_fits: { code: 8, stage: 6 },
  below_floor: { code: 9, stage: 7 },
} as const;

export type NoBidReason = keyof typeof NO_BID_REASONS;

/** The more informative of two reasons (ties keep the first). */
export function moreInformative(a: NoBidReason, b: NoBidReason): NoBidReason {
  return NO_BID_REASONS[b].stage > NO_BID_REASONS[a].stage ? b : a;
}
