/**
 * `POST /v1/decisions`: the publisher-facing path. Same engine as OpenRTB; the answer is one
 * decision per placement, with ready-to-render creative HTML and signed tracking URLs.
 */
import { Hono } from 'hono';
import { profileBudgetMs } from '../core/engine/budget';
import { decide, type LineItemOutcome, type SlotDecision } from '../core/engine/decide';
import type { NoBidReason } from '../core/engine/no-bid';
import { floorMicros, microsToPrice } from '../core/engine/pricing';
import { AppError } from '../core/errors';
import { parseDecisionRequest } from '../core/publisher/decision-request';
import { renderMarkup, type TrackedBid } from '../core/openrtb/response';
import { resolveAudience } from './audience';
import { catalogForRequest } from './catalog-for-request';
import { readJsonBody } from './body';
import { config } from './config';
import { trackBids } from './tracking-urls';

export const decisions = new Hono<{ Bindings: Env }>();

decisions.post('/', async (c) => {
  // The caller's clock starts when the request arrives: parsing and hashing count against tmax.
  const startedMs = Date.now();
  const env = c.env;
  const cfg = config(env);
  const parsed = parseDecisionRequest(await readJsonBody(c.req.raw, cfg.maxDecisionBodyBytes));
  if (!parsed.ok) throw new AppError('invalid_request', 'decision request is invalid', parsed.issues);
  const req = parsed.value;
  const nowMs = startedMs; // one clock reading per request: decisions and token expiry agree
  const budgetMs = profileBudgetMs(req.timeoutMs, cfg.networkReserveMs, cfg.profileBudgetCeilingMs);
  const [catalog, resolved] = await Promise.all([
    catalogForRequest(c, cfg, { nowMs, tmaxMs: req.timeoutMs, profileBudgetMs: budgetMs }),
    resolveAudience(env, { userKey: req.userKey !== undefined ? { kind: 'uid', value: req.userKey } : null, consent: req.consent }, startedMs + budgetMs),
  ]);
  const slotDecisions = decide(catalog, {
    slots: req.placements.map((p) => ({
      id: p.id,
      sizes: p.sizes,
      floorMicros: floorMicros(p.floorCpm ?? 0, req.currency, catalog.currency, catalog.currencyRates),
    })),
    profile: resolved.profile.snapshot,
    blockedCategories: req.blockedCategories,
    blockedDomains: req.blockedDomains,
    nowMs,
    rng: Math.random,
    explain: req.explain && cfg.explainAllowed,
  });
  const responseId = crypto.randomUUID();
  const tracked = new Map((await trackBids(env, c.req.url, responseId, slotDecisions, nowMs)).map((t) => [t.bid.slotId, t]));
  c.header('X-Edgebid-Profile-Source', resolved.profile.source);
  return c.json({
    id: responseId,
    profileSource: resolved.profile.source,
    consent: resolved.consent.reason,
    catalogVersion: catalog.version,
    currency: catalog.currency,
    decisions: slotDecisions.map((d) => placementDecision(d, tracked.get(d.slotId))),
  });
});

type PlacementDecision =
  | { placementId: string; status: 'empty'; reason: NoBidReason; explain?: readonly LineItemOutcome[] }
  | {
      placementId: string;
      status: 'filled';
      advertiserId: string;
      campaignId: string;
      lineItemId: string;
      priceCpm: number;
      creative: { id: string; format: 'banner'; width: number; height: number; html: string };
      impressionUrl: string;
      clickUrl: string;
      explain?: readonly LineItemOutcome[];
    };

function placementDecision(d: SlotDecision, tracked: TrackedBid | undefined): PlacementDecision {
  const trace = d.trace ? { explain: d.trace } : {};
  if (d.kind === 'no_bid' || !tracked) {
    return { placementId: d.slotId, status: 'empty', reason: d.kind === 'no_bid' ? d.reason : 'no_line_items', ...trace };
  }
  const { creative, lineItem } = d;
  return {
    placementId: d.slotId,
    status: 'filled',
    advertiserId: lineItem.advertiser.id,
    campaignId: lineItem.campaign.id,
    lineItemId: lineItem.item.id,
    priceCpm: microsToPrice(d.priceMicros),
    creative: {
      id: creative.id,
      format: creative.format,
      width: creative.w,
      height: creative.h,
      html: renderMarkup(creative.markup, tracked.urls),
    },
    impressionUrl: tracked.urls.impressionUrl,
    clickUrl: tracked.urls.clickUrl,
    ...trace,
  };
}
