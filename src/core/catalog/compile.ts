/**
 * Compiles a validated catalog document into the form the engine reads per request:
 * references resolved once, line items pre-sorted by priority. Built once per catalog version
 * and cached per isolate by the store; never per request.
 */
import type { Advertiser, Campaign, CatalogDocument, Creative, LineItem } from '../model';

export interface CompiledLineItem {
  readonly item: LineItem;
  readonly campaign: Campaign;
  readonly advertiser: Advertiser;
  readonly creatives: readonly Creative[];
  /** The advertiser's domains lowercased once here, for the per-request `badv` check. */
  readonly domainsLower: readonly string[];
}

export interface CompiledCatalog {
  readonly version: number;
  readonly currency: string;
  readonly currencyRates: Readonly<Record<string, number>>;
  /** Every line item (paused ones too, so explain can say why), highest priority first. */
  readonly lineItems: readonly CompiledLineItem[];
}

/** Assumes `doc` passed `parseCatalog`; dangling references are dropped rather than thrown on. */
export function compileCatalog(doc: CatalogDocument): CompiledCatalog {
  const advertisers = new Map(doc.advertisers.map((a) => [a.id, a]));
  const campaigns = new Map(doc.campaigns.map((c) => [c.id, c]));
  const creatives = new Map(doc.creatives.map((c) => [c.id, c]));
  const lineItems: CompiledLineItem[] = [];
  for (const item of doc.lineItems) {
    const campaign = campaigns.get(item.campaignId);
    const advertiser = campaign && advertisers.get(campaign.advertiserId);
    if (!campaign || !advertiser) continue;
    const own = item.creativeIds.flatMap((id) => {
      const c = creatives.get(id);
      return c ? [c] : [];
    });
    lineItems.push({
      item,
      campaign,
      advertiser,
      creatives: own,
      domainsLower: advertiser.domains.map((d) => d.toLowerCase()),
    });
  }
  lineItems.sort((a, b) => b.item.priority - a.item.priority || a.item.id.localeCompare(b.item.id));
  return { version: doc.version, currency: doc.currency, currencyRates: doc.currencyRates, lineItems };
}
