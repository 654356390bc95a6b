/**
 * Compiles a validated catalog document into the form the engine reads per request: references
 * resolved, targeting and adjustment expressions turned into predicates, line items in auction
 * order, and the candidate index built. Done once per catalog version and cached per isolate by
 * the store; never per request.
 */
import { buildCandidateIndex, type CandidateIndex } from '../engine/candidate-index';
import { compileExpr, compileTargeting, dealIdsOf, type Predicate } from '../engine/expr';
import { effectiveRules } from '../segments/seed-rules';
import type { SegmentRule } from '../segments/rule-schema';
import type {
  Advertiser,
  BidAdjustment,
  Campaign,
  CatalogDocument,
  Creative,
  FrequencyCap,
  LineItem,
  LookalikeModel,
} from '../model';

export type CompiledAdjustment =
  | { readonly kind: 'when'; readonly when: Predicate; readonly multiplier: number }
  | Exclude<BidAdjustment, { kind: 'when' }>;

export interface CompiledLineItem {
  /** Position in `CompiledCatalog.lineItems` (auction order): the index speaks in positions. */
  readonly pos: number;
  readonly item: LineItem;
  readonly campaign: Campaign;
  readonly advertiser: Advertiser;
  readonly creatives: readonly Creative[];
  /** The advertiser's domains lowercased once here, for the per-request `badv` check. */
  readonly domainsLower: readonly string[];
  readonly targeting: Predicate;
  /** Deals the targeting names (outside `not`): a matching bid may be a deal bid on one of them. */
  readonly dealIds: ReadonlySet<string>;
  readonly adjustments: readonly CompiledAdjustment[];
  readonly frequencyCaps: readonly FrequencyCap[];
  /** Paused or archived here or at the campaign, or its advertiser paused: never served (kept so explain can say why). */
  readonly active: boolean;
}

export interface CompiledCatalog {
  readonly version: number;
  readonly currency: string;
  readonly currencyRates: Readonly<Record<string, number>>;
  /**
   * Every line item, in auction order: priority descending, then maximum CPM descending (so a
   * walk can stop once nothing left can outbid the best so far), then id.
   */
  readonly lineItems: readonly CompiledLineItem[];
  readonly models: ReadonlyMap<string, LookalikeModel>;
  readonly index: CandidateIndex;
  /** The segment rules the profile pipeline evaluates (the catalog's, else the seed set). */
  readonly segmentRules: readonly SegmentRule[];
}

/** Assumes `doc` passed `parseCatalog`; dangling references are dropped rather than thrown on. */
export function compileCatalog(doc: CatalogDocument): CompiledCatalog {
  const advertisers = new Map(doc.advertisers.map((a) => [a.id, a]));
  const campaigns = new Map(doc.campaigns.map((c) => [c.id, c]));
  const creatives = new Map(doc.creatives.map((c) => [c.id, c]));
  const resolved: Omit<CompiledLineItem, 'pos'>[] = [];
  for (const item of doc.lineItems) {
    const campaign = campaigns.get(item.campaignId);
    const advertiser = campaign && advertisers.get(campaign.advertiserId);
    if (!campaign || !advertiser) continue;
    // A paused creative is not served; a line item left with none answers no_creative_fits.
    const own = item.creativeIds.flatMap((id) => {
      const c = creatives.get(id);
      return c && (c.status ?? 'active') === 'active' ? [c] : [];
    });
    resolved.push({
      item,
      campaign,
      advertiser,
      creatives: own,
      domainsLower: advertiser.domains.map((d) => d.toLowerCase()),
      targeting: compileTargeting(item.targeting, advertiser.id),
      dealIds: new Set(dealIdsOf(item.targeting)),
      adjustments: item.adjustments.map((a) => (a.kind === 'when' ? { ...a, when: compileExpr(a.when, advertiser.id) } : a)),
      frequencyCaps: item.frequencyCaps,
      active: item.status === 'active' && (campaign.status ?? 'active') === 'active' && (advertiser.status ?? 'active') === 'active',
    });
  }
  resolved.sort(
    (a, b) =>
      b.item.priority - a.item.priority ||
      b.item.maxCpmMicros - a.item.maxCpmMicros ||
      (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0),
  );
  const lineItems = resolved.map((li, pos): CompiledLineItem => ({ ...li, pos }));
  return {
    version: doc.version,
    currency: doc.currency,
    currencyRates: doc.currencyRates,
    lineItems,
    // A paused model scores null: score leaves false, score adjustments ×1, caps not raised.
    models: new Map(doc.lookalikeModels.filter((m) => (m.status ?? 'active') === 'active').map((m) => [m.id, m])),
    index: buildCandidateIndex(lineItems),
    segmentRules: effectiveRules(doc.segmentRules),
  };
}
