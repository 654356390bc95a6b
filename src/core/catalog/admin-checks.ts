/**
 * Checks across the catalog that its schema leaves to the admin layer, run on every admin write
 * next to `parseCatalog` (which already checks references and that every segment an expression
 * names has a rule):
 * - a segment rule scoped to an advertiser that does not exist is an error;
 * - a creative attached to a line item whose format targeting can only be met by slots of another
 *   format or size is an error: it would serve only by accident, in a multi-format slot that also
 *   offers what the targeting names;
 * - a creative that no line item uses is a warning (normal while a campaign is being built).
 * Paths are document paths (`lineItems[2].targeting.all[0].segment`).
 */
import { formatPath, type FieldIssue } from '../errors';
import type { CatalogDocument, Creative, TargetingExpr } from '../model';
import type { SegmentRule } from '../segments/rule-schema';

export function crossIssues(doc: CatalogDocument, rules: readonly SegmentRule[]): FieldIssue[] {
  return [...ruleScopeIssues(doc, rules), ...creativeFitIssues(doc)];
}

/** Ids of creatives no line item lists. */
export function unassignedCreatives(doc: CatalogDocument): ReadonlySet<string> {
  const used = new Set(doc.lineItems.flatMap((li) => li.creativeIds));
  return new Set(doc.creatives.map((c) => c.id).filter((id) => !used.has(id)));
}

/** parseCatalog checks the segments expressions name; a rule scoped to an advertiser that does not exist is ours to catch. */
function ruleScopeIssues(doc: CatalogDocument, rules: readonly SegmentRule[]): FieldIssue[] {
  const advertisers = new Set(doc.advertisers.map((a) => a.id));
  return rules.flatMap((r, i) =>
    r.advertiserId !== undefined && !advertisers.has(r.advertiserId) ? [{ path: formatPath(['segmentRules', i, 'advertiserId']), message: 'unknown advertiser' }] : [],
  );
}

function creativeFitIssues(doc: CatalogDocument): FieldIssue[] {
  const creatives = new Map(doc.creatives.map((c) => [c.id, c]));
  const issues: FieldIssue[] = [];
  doc.lineItems.forEach((li, i) => {
    li.creativeIds.forEach((id, j) => {
      const creative = creatives.get(id);
      if (creative && formatFit(li.targeting, creative) === 'never') {
        issues.push({
          path: formatPath(['lineItems', i, 'creativeIds', j]),
          message: "the line item's format targeting names no format or size this creative has: it can never serve here",
        });
      }
    });
  });
  return issues;
}

/**
 * Three-valued: can a slot this creative fits also satisfy the expression's `format` leaves?
 * `fits` when a format leaf names the creative's format or size, `never` when every way through the
 * expression needs a format the creative is not, `unknown` when other leaves decide.
 */
type Fit = 'fits' | 'never' | 'unknown';

export function formatFit(expr: TargetingExpr | null, creative: Creative): Fit {
  if (expr === null) return 'unknown';
  if ('format' in expr) {
    const size = creative.format === 'banner' ? `${creative.w}x${creative.h}` : null;
    return expr.format.some((f) => f === creative.format || f === size) ? 'fits' : 'never';
  }
  if ('all' in expr) {
    const fits = expr.all.map((e) => formatFit(e, creative));
    if (fits.includes('never')) return 'never';
    return fits.every((f) => f === 'fits') ? 'fits' : 'unknown';
  }
  if ('any' in expr) {
    const fits = expr.any.map((e) => formatFit(e, creative));
    if (fits.includes('fits')) return 'fits';
    return fits.every((f) => f === 'never') ? 'never' : 'unknown';
  }
  // `not` of a leaf that names the creative's own format excludes every slot it could fill.
  if ('not' in expr) return formatFit(expr.not, creative) === 'fits' && 'format' in expr.not ? 'never' : 'unknown';
  return 'unknown';
}
