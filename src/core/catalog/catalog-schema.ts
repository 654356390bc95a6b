/**
 * Schema of the catalog document as stored in KV. The catalog is read at a trust boundary
 * (KV can hold anything an operator wrote), so it is validated before it is compiled, and every
 * problem is reported at once, with its path.
 */
import { z } from 'zod';
import type { CatalogDocument, TargetingExpr } from '../model';
import { formatPath, type FieldIssue } from '../errors';
import { RETENTION_MS } from '../segments/realtime';
import { fieldIssues } from '../zod-issues';

/** `@` is reserved: segment keys in profiles are `<segment>@<advertiserId>`. */
const id = z.string().min(1).max(128).regex(/^[^@]+$/, 'must not contain "@"');
const micros = z.number().int().nonnegative();
/** Profiles keep conversions only as long as their events: a longer window would be cut short silently. */
const MAX_SUPPRESS_SEC = RETENTION_MS / 1000;

const targetingExpr: z.ZodType<TargetingExpr> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(targetingExpr).min(1) }),
    z.strictObject({ any: z.array(targetingExpr).min(1) }),
    z.strictObject({ not: targetingExpr }),
    z.strictObject({ segment: id }),
  ]),
);

export const catalogSchema = z.object({
  version: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  currencyRates: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().positive()),
  advertisers: z.array(
    z.object({ id, name: z.string().min(1), domains: z.array(z.string().min(1)), categories: z.array(z.string()) }),
  ),
  campaigns: z.array(
    z.object({
      id,
      advertiserId: id,
      name: z.string().min(1),
      startMs: z.number().int().optional(),
      endMs: z.number().int().optional(),
      suppressConvertedWithinSec: z
        .number()
        .int()
        .nonnegative()
        .max(MAX_SUPPRESS_SEC, `must be at most ${MAX_SUPPRESS_SEC} (the 30 day profile retention): older conversions are not kept`),
    }),
  ),
  lineItems: z.array(
    z.object({
      id,
      campaignId: id,
      name: z.string().min(1),
      status: z.enum(['active', 'paused']),
      targeting: targetingExpr.nullable(),
      baseCpmMicros: micros,
      maxCpmMicros: micros,
      multipliers: z.array(z.object({ segment: id, multiplier: z.number().positive().max(100) })),
      creativeIds: z.array(id).min(1),
      priority: z.number().int(),
    }),
  ),
  creatives: z.array(
    z.object({
      id,
      advertiserId: id,
      format: z.literal('banner'),
      w: z.number().int().positive(),
      h: z.number().int().positive(),
      markup: z.string().min(1),
      clickUrl: z.url({ protocol: /^https?$/ }),
      categories: z.array(z.string()),
      weight: z.number().positive(),
    }),
  ),
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
  const unique = (kind: 'advertisers' | 'campaigns' | 'lineItems' | 'creatives'): Set<string> => {
    const seen = new Set<string>();
    doc[kind].forEach((x, i) => {
      if (seen.has(x.id)) issues.push({ path: formatPath([kind, i, 'id']), message: 'duplicate id' });
      seen.add(x.id);
    });
    return seen;
  };
  const advertisers = unique('advertisers');
  const campaigns = new Map(doc.campaigns.map((c) => [c.id, c]));
  unique('campaigns');
  unique('lineItems');
  const creatives = new Map(doc.creatives.map((c) => [c.id, c]));
  unique('creatives');

  doc.campaigns.forEach((c, i) => {
    if (!advertisers.has(c.advertiserId)) {
      issues.push({ path: formatPath(['campaigns', i, 'advertiserId']), message: 'unknown advertiser' });
    }
  });
  doc.creatives.forEach((c, i) => {
    if (!advertisers.has(c.advertiserId)) {
      issues.push({ path: formatPath(['creatives', i, 'advertiserId']), message: 'unknown advertiser' });
    }
  });
  doc.lineItems.forEach((li, i) => {
    const campaign = campaigns.get(li.campaignId);
    if (!campaign) issues.push({ path: formatPath(['lineItems', i, 'campaignId']), message: 'unknown campaign' });
    if (li.maxCpmMicros < li.baseCpmMicros) {
      issues.push({ path: formatPath(['lineItems', i, 'maxCpmMicros']), message: 'must be at least baseCpmMicros' });
    }
    li.creativeIds.forEach((cid, j) => {
      const creative = creatives.get(cid);
      const path = formatPath(['lineItems', i, 'creativeIds', j]);
      if (!creative) issues.push({ path, message: 'unknown creative' });
      else if (campaign && creative.advertiserId !== campaign.advertiserId) {
        issues.push({ path, message: "creative belongs to another advertiser than the line item's campaign" });
      }
    });
  });
  return issues;
}
