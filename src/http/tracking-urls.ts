/** Builds the signed impression, click, win-notice and billing URLs of one chosen creative. */
import type { SlotBid, SlotDecision } from '../core/engine/decide';
import type { BidUrls, TrackedBid } from '../core/openrtb/response';
import { secret } from './config';
import { seal } from './crypto';
import { signToken, TRACKING_TTL_MS, type TrackingPayload } from './tracking-token';

export async function trackingUrls(
  secret: string,
  origin: string,
  responseId: string,
  bid: SlotBid,
  userHash: string | null,
  nowMs: number,
): Promise<BidUrls> {
  const base: Omit<TrackingPayload, 'k'> = {
    b: responseId,
    i: bid.slotId,
    li: bid.lineItem.item.id,
    cr: bid.creative.id,
    cmp: bid.lineItem.campaign.id,
    adv: bid.lineItem.advertiser.id,
    p: bid.priceMicros,
    exp: nowMs + TRACKING_TTL_MS,
  };
  const [win, bill, imp, click] = await Promise.all([
    signToken(secret, { k: 'win', ...base }),
    signToken(secret, { k: 'bill', ...base }),
    // The user hash travels inside ad markup: sealed, so exchanges and pages can neither read it
    // nor link two impressions of one person.
    signToken(secret, { k: 'imp', ...base, ...(userHash !== null ? { u: await seal(secret, userHash) } : {}) }),
    signToken(secret, { k: 'click', ...base, url: bid.creative.clickUrl }),
  ]);
  return {
    nurl: `${origin}/v1/t/${win}?price=\${AUCTION_PRICE}`,
    burl: `${origin}/v1/t/${bill}?price=\${AUCTION_PRICE}`,
    impressionUrl: `${origin}/v1/t/${imp}`,
    clickUrl: `${origin}/v1/t/${click}`,
  };
}

/** The origin tracking URLs point at: configured, or the one the request came in on. */
export function publicOrigin(env: Env, requestUrl: string): string {
  if (env.PUBLIC_BASE_URL !== '') return env.PUBLIC_BASE_URL.replace(/\/+$/, '');
  // The runtime hands us an absolute, normalised URL: its origin ends where its path begins
  // (cheaper than parsing a URL on every bid).
  const pathAt = requestUrl.indexOf('/', requestUrl.indexOf('//') + 2);
  const origin = pathAt < 0 ? requestUrl : requestUrl.slice(0, pathAt);
  return origin.includes('@') ? new URL(requestUrl).origin : origin;
}

/** Signs the URLs of every bid among `decisions`. */
export function trackBids(
  env: Env,
  requestUrl: string,
  responseId: string,
  decisions: readonly SlotDecision[],
  userHash: string | null,
  nowMs: number,
): Promise<TrackedBid[]> {
  const origin = publicOrigin(env, requestUrl);
  return Promise.all(
    decisions
      .filter((d): d is SlotBid => d.kind === 'bid')
      .map(async (bid) => ({ bid, urls: await trackingUrls(secret(env, 'TRACKING_SECRET'), origin, responseId, bid, userHash, nowMs) })),
  );
}
