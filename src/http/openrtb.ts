/**
 * `POST /openrtb2/bid`: the exchange-facing hot path. Validate, resolve the audience and the
 * catalog in parallel, decide, answer a BidResponse or `204`.
 */
import { Hono } from 'hono';
import { profileBudgetMs } from '../core/engine/budget';
import { decide } from '../core/engine/decide';
import { AppError } from '../core/errors';
import { bidAudience } from '../core/openrtb/audience';
import { planBid } from '../core/openrtb/plan';
import { parseBidRequest } from '../core/openrtb/request-schema';
import { buildBidResponse } from '../core/openrtb/response';
import { resolveAudience } from './audience';
import { catalogForRequest } from './catalog-for-request';
import { readJsonBody } from './body';
import { config } from './config';
import { noBidSummary } from './no-bid-header';
import { trackBids } from './tracking-urls';

/** Our seat in the exchange's auction. */
const SEAT = 'edgebid';

export const openrtb = new Hono<{ Bindings: Env }>();

openrtb.post('/bid', async (c) => {
  // The caller's clock starts when the request arrives: parsing and hashing count against tmax.
  const startedMs = Date.now();
  const env = c.env;
  const cfg = config(env);
  const parsed = parseBidRequest(await readJsonBody(c.req.raw, cfg.maxBidBodyBytes));
  if (!parsed.ok) throw new AppError('invalid_request', 'bid request does not conform to OpenRTB 2.6', parsed.issues);
  const req = parsed.value;
  const nowMs = startedMs; // one clock reading per request: decisions and token expiry agree
  const audience = bidAudience(req);
  const budgetMs = profileBudgetMs(audience.tmaxMs, cfg.networkReserveMs, cfg.profileBudgetCeilingMs);
  const [catalog, resolved] = await Promise.all([
    catalogForRequest(c, cfg, { nowMs, tmaxMs: audience.tmaxMs, profileBudgetMs: budgetMs }),
    resolveAudience(env, audience, startedMs + budgetMs),
  ]);
  const plan = planBid(req, { seat: SEAT, currency: catalog.currency, currencyRates: catalog.currencyRates });
  // The trace names line items and prices: only where the operator allows it (dev, staging).
  const explain = plan.explain && cfg.explainAllowed;
  const decisions = decide(catalog, {
    slots: plan.slots,
    profile: resolved.profile.snapshot,
    blockedCategories: plan.blockedCategories,
    blockedDomains: plan.blockedDomains,
    nowMs,
    rng: Math.random,
    explain,
  });
  const responseId = crypto.randomUUID();
  const bids = await trackBids(env, c.req.url, responseId, decisions, nowMs);
  const response = buildBidResponse({
    requestId: req.id,
    responseId,
    currency: catalog.currency,
    seat: SEAT,
    catalogVersion: catalog.version,
    decisions,
    profileSource: resolved.profile.source,
    explain,
    bids,
  });
  c.header('X-OpenRTB-Version', '2.6');
  c.header('X-Edgebid-Profile-Source', resolved.profile.source);
  c.header('X-Edgebid-Consent', resolved.consent.reason);
  if (!response) {
    // Reasons can reveal user state (e.g. `suppressed_converted`): diagnostics, not for exchanges.
    if (cfg.explainAllowed) c.header('X-Edgebid-No-Bid', noBidSummary(decisions));
    return c.body(null, 204);
  }
  return c.json(response);
});
