/**
 * Schema of the catalog document as stored in KV. The catalog is read at a trust boundary
 * (KV can hold anything an operator wrote), so it is validated before it is compiled, and every
 * problem is reported at once, with its path: shape first, then the references between
 * documents (a line item naming a missing creative, a model of another advertiser, …).
 */
import { z } from 'zod';
import type { CatalogDocument } from '../model';
import { formatPath, type FieldIssue } from '../errors';
import { fieldIssues } from '../zod-issues';
import { creativeSchema } from './creative-schema';
import { id, targetingExprSchema } from './targeting-schema';
import { RETENTION_MS } from '../profile/retention';
import { segmentRulesSchema } from '../segments/rule-schema';
import { definedRules } from '../segments/seed-rules';

const micros = z.number().int().nonnegative().max(1e12);
/** Profiles keep conversions only as long as their events: a longer window would be cut short silently. */
const MAX_SUPPRESS_SEC = RETENTION_MS / 1000;
const multiplier = z.number().positive().max(100);
const eventType = z.enum(['page_view', 'product_view', 'add_to_cart', 'purchase', 'conversion', 'impression']);
const capScope = z.enum(['lineItem', 'campaign', 'advertiser']);
const windowSec = z.number().int().positive().max(MAX_SUPPRESS_SEC);
const status = z.enum(['active', 'paused', 'archived']);
/** Kinds that are archived only through the admin API's archive, never by a status value. */
const pauseStatus = z.enum(['active', 'paused']);

const adjustmentSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('when'), when: targetingExprSchema, multiplier }),
  z.strictObject({ kind: z.literal('recency'), event: eventType, withinSec: windowSec, multiplier }),
  z.strictObject({
    kind: z.literal('impressionDecay'),
    scope: capScope,
    windowSec,
    factor: z.number().positive().max(1),
    floor: z.number().positive().max(1),
  }),
  z.strictObject({
    kind: z.literal('score'),
    model: id,
    curve: z
      .array(z.tuple([z.number().min(0).max(1), multiplier]))
      .min(1)
      .max(32)
      .refine((pts) => pts.every((p, i) => i === 0 || (pts[i - 1]?.[0] ?? 0) <= p[0]), 'points must be sorted by score'),
  }),
]);

const frequencyCapSchema = z.strictObject({
  scope: capScope,
  max: z.number().int().positive().max(1000),
  windowSec,
  raiseFor: z.strictObject({ model: id, atLeast: z.number().min(0).max(1), raisedMax: z.number().int().positive().max(1000) }).optional(),
});

const lookalikeWeightSchema = z.union([
  z.strictObject({ segment: id, weight: z.number() }),
  z.strictObject({ count: eventType, windowDays: z.number().int().positive().max(90), weight: z.number() }),
  z.strictObject({ recency: eventType, halfLifeDays: z.number().positive().max(90), weight: z.number() }),
]);

export const catalogSchema = z.object({
  version: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  currencyRates: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().positive()),
  advertisers: z.array(
    z.object({
      id,
      name: z.string().min(1),
      domains: z.array(z.string().min(1)),
      categories: z.array(z.string()),
      appBundles: z.array(z.string().min(1)).optional(),
      status: pauseStatus.optional(),
    }),
  ),
  campaigns: z.array(
    z.object({
      id,
      advertiserId: id,
      name: z.string().min(1),
      status: status.optional(),
      startMs: z.number().int().optional(),
      endMs: z.number().int().optional(),
      conversion: z.strictObject({
        eventTypes: z.array(z.enum(['purchase', 'conversion'])).min(1),
        suppressWithinSec: z
          .number()
          .int()
          .nonnegative()
          .max(MAX_SUPPRESS_SEC, `must be at most ${MAX_SUPPRESS_SEC} (the profile retention): older conversions are not kept`),
      }),
      holdoutPct: z.number().min(0).max(50),
      budget: z
        .strictObject({
          dailyMicros: micros.optional(),
          totalMicros: micros.optional(),
          pacing: z.enum(['even', 'asap']),
          timeZone: z.string().max(64).refine(isTimeZone, 'an IANA time zone such as "America/New_York"').optional(),
        })
        .optional(),
    }),
  ),
  lineItems: z.array(
    z.object({
      id,
      campaignId: id,
      name: z.string().min(1),
      status,
      targeting: targetingExprSchema.nullable(),
      baseCpmMicros: micros,
      maxCpmMicros: micros,
      adjustments: z.array(adjustmentSchema).max(32),
      frequencyCaps: z.array(frequencyCapSchema).max(8),
      creativeIds: z.array(id).min(1),
      priority: z.number().int().min(0).max(100),
      shading: z.strictObject({ fraction: z.number().positive().max(1) }).optional(),
    }),
  ),
  creatives: z.array(creativeSchema),
  lookalikeModels: z
    .array(
      z.object({ id, advertiserId: id, intercept: z.number(), weights: z.array(lookalikeWeightSchema).max(64), status: pauseStatus.optional() }),
    )
    .default([]),
  segmentRules: segmentRulesSchema.optional(),
}) satisfies z.ZodType<CatalogDocument>;

export type ParseCatalogResult = { ok: true; value: CatalogDocument } | { ok: false; issues: FieldIssue[] };

/** Shape first, then references between documents; all problems together. */
export function parseCatalog(input: unknown): ParseCatalogResult {
  const parsed = catalogSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, issues: fieldIssues(parsed.error) };
  }
  const issues = referenceIssues(parsed.data);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: parsed.data };
}

function referenceIssues(doc: CatalogDocument): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const issue = (path: (string | number)[], message: string): void => {
    issues.push({ path: formatPath(path), message });
  };
  const unique = (kind: 'advertisers' | 'campaigns' | 'lineItems' | 'creatives' | 'lookalikeModels'): void => {
    const seen = new Set<string>();
    doc[kind].forEach((x, i) => {
      if (seen.has(x.id)) issue([kind, i, 'id'], 'duplicate id');
      seen.add(x.id);
    });
  };
  (['advertisers', 'campaigns', 'lineItems', 'creatives', 'lookalikeModels'] as const).forEach(unique);
  const advertisers = new Set(doc.advertisers.map((a) => a.id));
  const campaigns = new Map(doc.campaigns.map((c) => [c.id, c]));
  const creatives = new Map(doc.creatives.map((c) => [c.id, c]));
  const models = new Map(doc.lookalikeModels.map((m) => [m.id, m]));
  // Paused rules still define their segments: pausing one must not invalidate what targets it.
  const rules = definedRules(doc.segmentRules);
  const segmentExists = (segment: string, advertiserId: string): boolean =>
    rules.some((r) => r.id === segment && (r.advertiserId === undefined || r.advertiserId === advertiserId));

  doc.campaigns.forEach((c, i) => {
    if (!advertisers.has(c.advertiserId)) issue(['campaigns', i, 'advertiserId'], 'unknown advertiser');
    if (c.startMs !== undefined && c.endMs !== undefined && c.endMs <= c.startMs) issue(['campaigns', i, 'endMs'], 'must be after startMs');
  });
  doc.creatives.forEach((c, i) => {
    if (!advertisers.has(c.advertiserId)) issue(['creatives', i, 'advertiserId'], 'unknown advertiser');
  });
  doc.lookalikeModels.forEach((m, i) => {
    if (!advertisers.has(m.advertiserId)) issue(['lookalikeModels', i, 'advertiserId'], 'unknown advertiser');
    m.weights.forEach((w, j) => {
      if ('segment' in w && !segmentExists(w.segment, m.advertiserId)) issue(['lookalikeModels', i, 'weights', j, 'segment'], unknownSegment(w.segment));
    });
  });
  doc.lineItems.forEach((li, i) => {
    const campaign = campaigns.get(li.campaignId);
    if (!campaign) issue(['lineItems', i, 'campaignId'], 'unknown campaign');
    if (li.maxCpmMicros < li.baseCpmMicros) issue(['lineItems', i, 'maxCpmMicros'], 'must be at least baseCpmMicros');
    li.creativeIds.forEach((cid, j) => {
      const creative = creatives.get(cid);
      if (!creative) issue(['lineItems', i, 'creativeIds', j], 'unknown creative');
      else if (campaign && creative.advertiserId !== campaign.advertiserId) {
        issue(['lineItems', i, 'creativeIds', j], "creative belongs to another advertiser than the line item's campaign");
      }
    });
    // A model scores one advertiser's first-party data: another advertiser may not bid on it.
    const checkModel = (path: (string | number)[], modelId: string): void => {
      const model = models.get(modelId);
      if (!model) issue(path, 'unknown lookalike model');
      else if (campaign && model.advertiserId !== campaign.advertiserId) issue(path, "model belongs to another advertiser than the line item's campaign");
    };
    for (const { path, model } of scoreModels(li.targeting)) checkModel(['lineItems', i, 'targeting', ...path], model);
    // A segment no rule defines can never have members: almost certainly a typo.
    const checkSegments = (expr: Expr, base: (string | number)[]): void => {
      if (!campaign) return;
      for (const { path, segment } of segmentsOf(expr)) {
        if (!segmentExists(segment, campaign.advertiserId)) issue([...base, ...path], unknownSegment(segment));
      }
    };
    checkSegments(li.targeting, ['lineItems', i, 'targeting']);
    li.adjustments.forEach((a, j) => {
      if (a.kind === 'score') checkModel(['lineItems', i, 'adjustments', j, 'model'], a.model);
      if (a.kind === 'when') {
        for (const { path, model } of scoreModels(a.when)) checkModel(['lineItems', i, 'adjustments', j, 'when', ...path], model);
        checkSegments(a.when, ['lineItems', i, 'adjustments', j, 'when']);
      }
    });
    li.frequencyCaps.forEach((cap, j) => {
      if (cap.raiseFor) checkModel(['lineItems', i, 'frequencyCaps', j, 'raiseFor', 'model'], cap.raiseFor.model);
    });
  });
  return issues;
}

type Expr = CatalogDocument['lineItems'][number]['targeting'];

/** Every `score` leaf with its path inside the expression. */
function scoreModels(expr: Expr, path: (string | number)[] = []): { path: (string | number)[]; model: string }[] {
  if (expr === null) return [];
  if ('all' in expr) return expr.all.flatMap((e, i) => scoreModels(e, [...path, 'all', i]));
  if ('any' in expr) return expr.any.flatMap((e, i) => scoreModels(e, [...path, 'any', i]));
  if ('not' in expr) return scoreModels(expr.not, [...path, 'not']);
  if ('score' in expr) return [{ path: [...path, 'score', 'model'], model: expr.score.model }];
  return [];
}

/** Every `segment` leaf with its path inside the expression. */
function segmentsOf(expr: Expr, path: (string | number)[] = []): { path: (string | number)[]; segment: string }[] {
  if (expr === null) return [];
  if ('all' in expr) return expr.all.flatMap((e, i) => segmentsOf(e, [...path, 'all', i]));
  if ('any' in expr) return expr.any.flatMap((e, i) => segmentsOf(e, [...path, 'any', i]));
  if ('not' in expr) return segmentsOf(expr.not, [...path, 'not']);
  if ('segment' in expr) return [{ path: [...path, 'segment'], segment: expr.segment }];
  return [];
}

function unknownSegment(segment: string): string {
  return `unknown segment "${segment}": no segment rule defines it for this advertiser`;
}

/** Whether the runtime knows this IANA time zone (Intl is part of the language, in Node and workerd alike). */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
