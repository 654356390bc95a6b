/**
 * `POST /v1/decisions`: the publisher-facing path. Same engine as OpenRTB; the answer is one
 * decision per placement, with ready-to-render creative HTML and signed tracking URLs.
 */
import { Hono } from 'hono';
import { dynamicFill } from '../core/creative/dynamic';
import { renderAd } from '../core/creative/render';
import { profileBudgetMs } from '../core/engine/budget';
import type { SlotDecision } from '../core/engine/decide';
import { explainTrace } from '../core/engine/explain';
import { NO_BID_REASONS, type NoBidReason } from '../core/engine/no-bid';
import { microsToPrice } from '../core/engine/pricing';
import type { Slot } from '../core/engine/request-context';
import { AppError } from '../core/errors';
import type { TrackedBid } from '../core/openrtb/response';
import { parseDecisionRequest } from '../core/publisher/decision-request';
import { decisionPlan, hostOf } from '../core/publisher/decision-plan';
import { resolveAudience } from './audience';
import { catalogForRequest } from './catalog-for-request';
import { assertMayDecideFor } from './auth';
import { readJsonBody } from './body';
import { config } from './config';
import { decideForAudience } from './decide-for-audience';
import { explainPermitted } from './explain-permission';
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
  // Publishers get decisions only for their own sites and placements.
  assertMayDecideFor(c, req.site?.domain ?? (req.site?.page !== undefined ? hostOf(req.site.page) : undefined), req.placements.map((p) => p.id));
  const nowMs = startedMs; // one clock reading per request: decisions and token expiry agree
  const budgetMs = profileBudgetMs(req.timeoutMs, cfg.networkReserveMs, cfg.profileBudgetCeilingMs);
  const [catalog, resolved] = await Promise.all([
    catalogForRequest(c, cfg, { nowMs, tmaxMs: req.timeoutMs, profileBudgetMs: budgetMs }),
    resolveAudience(env, { userKey: req.userKey !== undefined ? { kind: 'uid', value: req.userKey } : null, consent: req.consent }, startedMs + budgetMs),
  ]);
  const { consent } = resolved;
  const plan = decisionPlan(req, catalog, { preciseGeo: consent.preciseGeo, userData: consent.mode === 'behavioural' });
  const explain = (req.explain || c.req.query('debug') === '1') && explainPermitted(c, cfg);
  const slotDecisions = decideForAudience(c, catalog, plan, resolved, nowMs, explain);
  const responseId = crypto.randomUUID();
  const tracked = new Map(
    (await trackBids(env, c.req.url, responseId, slotDecisions, resolved.userHash, nowMs)).map((t) => [t.bid.slotId, t]),
  );
  const slots = new Map(plan.slots.map((s) => [s.id, s]));
  c.header('X-Edgebid-Profile-Source', resolved.profile.source);
  return c.json({
    id: responseId,
    profileSource: resolved.profile.source,
    consent: consent.reason,
    catalogVersion: catalog.version,
    currency: catalog.currency,
    decisions: slotDecisions.map((d) => placementDecision(d, tracked.get(d.slotId), slots.get(d.slotId), explain || cfg.explainAllowed)),
    ...(explain
      ? {
          explain: explainTrace(slotDecisions, {
            consent: { mode: consent.mode, reason: consent.reason, checks: consent.checks },
            profileSource: resolved.profile.source,
            catalogVersion: catalog.version,
          }),
        }
      : {}),
  });
});

type PlacementDecision =
  | { placementId: string; status: 'empty'; reason: NoBidReason | 'no_fill'; code: number }
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
    };

/**
 * Why a placement is empty can reveal the user (`suppressed_converted` says they bought from the
 * advertiser), and any publisher may ask about any user id: the reason is for operators (explain
 * permitted); everyone else gets `no_fill` (code 0).
 */
export function placementDecision(d: SlotDecision, tracked: TrackedBid | undefined, slot: Slot | undefined, showReason: boolean): PlacementDecision {
  if (d.kind === 'no_bid' || !tracked || !slot) {
    const reason = d.kind === 'no_bid' ? d.reason : 'no_line_items';
    return showReason
      ? { placementId: d.slotId, status: 'empty', reason, code: NO_BID_REASONS[reason].code }
      : { placementId: d.slotId, status: 'empty', reason: 'no_fill', code: 0 };
  }
  const { creative, lineItem } = d;
  // Placements are banner slots, so the winner is a banner creative.
  const ad = renderAd(creative, d.media, slot, tracked.urls, dynamicFill(creative, d.dynamic, d.dealSeeker));
  return {
    placementId: d.slotId,
    status: 'filled',
    advertiserId: lineItem.advertiser.id,
    campaignId: lineItem.campaign.id,
    lineItemId: lineItem.item.id,
    priceCpm: microsToPrice(d.priceMicros),
    creative: { id: creative.id, format: 'banner', width: ad.w ?? 0, height: ad.h ?? 0, html: ad.adm },
    impressionUrl: tracked.urls.impressionUrl,
    clickUrl: tracked.urls.clickUrl,
  };
}
