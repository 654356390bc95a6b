/**
 * `POST /openrtb2/bid`: the exchange-facing hot path. Validate, resolve the audience (consent,
 * profile) and the catalog in parallel, decide, answer a BidResponse or `204`.
 */
import { Hono } from 'hono';
import { profileBudgetMs } from '../core/engine/budget';
import { explainTrace } from '../core/engine/explain';
import { AppError } from '../core/errors';
import { bidAudience } from '../core/openrtb/audience';
import { planBid } from '../core/openrtb/plan';
import { parseBidRequest } from '../core/openrtb/request-schema';
import { buildBidResponse } from '../core/openrtb/response';
import { resolveAudience } from './audience';
import { catalogForRequest } from './catalog-for-request';
import { readJsonBody } from './body';
import { config } from './config';
import { decideForAudience } from './decide-for-audience';
import { explainPermitted } from './explain-permission';
import { noBidSummary } from './no-bid-header';
import { serverTimingFor } from './server-timing';
import { trackBids } from './tracking-urls';

/** Our seat in the exchange's auction. */
const SEAT = 'edgebid';

export const openrtb = new Hono<{ Bindings: Env }>();

openrtb.post('/bid', async (c) => {
  // The caller's clock starts when the request arrives: parsing and hashing count against tmax.
  const startedMs = Date.now();
  const env = c.env;
  const cfg = config(env);
  // Debug mode only (README, "Speed"); null otherwise, and every mark below is then a no-op.
  const timing = serverTimingFor(c, cfg);
  const parsed = parseBidRequest(await readJsonBody(c.req.raw, cfg.maxBidBodyBytes));
  if (!parsed.ok) throw new AppError('invalid_request', 'bid request does not conform to OpenRTB 2.6', parsed.issues);
  timing?.lap('parse');
  const req = parsed.value;
  const nowMs = startedMs; // one clock reading per request: decisions and token expiry agree
  const audience = bidAudience(req);
  const budgetMs = profileBudgetMs(audience.tmaxMs, cfg.networkReserveMs, cfg.profileBudgetCeilingMs);
  const [catalog, resolved] = await Promise.all([
    catalogForRequest(c, cfg, { nowMs, tmaxMs: audience.tmaxMs, profileBudgetMs: budgetMs }),
    resolveAudience(env, audience, startedMs + budgetMs, timing),
  ]);
  timing?.resume();
  const { consent } = resolved;
  const plan = planBid(req, { seat: SEAT, currency: catalog.currency, currencyRates: catalog.currencyRates }, { preciseGeo: consent.preciseGeo, userData: consent.mode === 'behavioural' });
  // The trace names line items, prices and the user's state: operators only.
  const explain = (plan.explainRequested || c.req.query('debug') === '1') && explainPermitted(c, cfg);
  const decisions = decideForAudience(c, catalog, plan, resolved, nowMs, explain);
  timing?.lap('decide');
  const responseId = crypto.randomUUID();
  const bids = await trackBids(env, c.req.url, responseId, decisions, resolved.userHash, nowMs);
  timing?.lap('sign');
  const response = buildBidResponse({
    requestId: req.id,
    responseId,
    currency: catalog.currency,
    seat: SEAT,
    catalogVersion: catalog.version,
    decisions,
    slots: plan.slots,
    profileSource: resolved.profile.source,
    bids,
    ...(explain
      ? {
          trace: explainTrace(decisions, {
            consent: { mode: consent.mode, reason: consent.reason, checks: consent.checks },
            profileSource: resolved.profile.source,
            catalogVersion: catalog.version,
          }),
        }
      : {}),
  });
  const body = response ? JSON.stringify(response) : null;
  if (timing) {
    timing.lap('serialise');
    c.header('Server-Timing', timing.header());
  }
  c.header('X-OpenRTB-Version', '2.6');
  c.header('X-Edgebid-Profile-Source', resolved.profile.source);
  c.header('X-Edgebid-Consent', consent.reason);
  if (body === null) {
    // Reasons can reveal user state (e.g. `suppressed_converted`): diagnostics, not for exchanges.
    if (cfg.explainAllowed) c.header('X-Edgebid-No-Bid', noBidSummary(decisions));
    return c.body(null, 204);
  }
  return c.body(body, 200, { 'Content-Type': 'application/json' });
});
