/**
 * Maps a publisher decision request onto the engine's request context and slots: each
 * placement is a banner slot in the open auction, floors converted to catalog micros.
 */
import type { CompiledCatalog } from '../catalog/compile';
import { floorMicros } from '../engine/pricing';
import type { RequestContext, Slot } from '../engine/request-context';
import type { PlanPermissions } from '../openrtb/plan';
import type { DecisionRequest } from './decision-request';

export function decisionPlan(
  req: DecisionRequest,
  catalog: Pick<CompiledCatalog, 'currency' | 'currencyRates'>,
  allow: PlanPermissions,
): { request: RequestContext; slots: Slot[] } {
  const g = req.geo;
  const domain = (req.site?.domain ?? (req.site?.page ? hostOf(req.site.page) : undefined))?.toLowerCase();
  const request: RequestContext = {
    geo: {
      ...(g?.country ? { country: g.country.toUpperCase() } : {}),
      ...(g?.region ? { region: g.region.toUpperCase() } : {}),
      ...(allow.preciseGeo && g?.metro ? { metro: g.metro } : {}),
      ...(allow.preciseGeo && g?.postal ? { postal: g.postal.toUpperCase().replaceAll(' ', '') } : {}),
      ...(g?.utcOffsetMinutes !== undefined ? { utcOffsetMinutes: g.utcOffsetMinutes } : {}),
    },
    device: {
      ...(req.device?.type !== undefined ? { type: req.device.type } : {}),
      ...(req.device?.os ? { os: req.device.os.toLowerCase() } : {}),
      ...(req.device?.make ? { make: req.device.make.toLowerCase() } : {}),
    },
    inventory: {
      kind: req.site ? 'site' : 'unknown',
      ...(domain ? { domain } : {}),
      ...(req.site?.publisherId ? { publisherId: req.site.publisherId } : {}),
      categories: req.site?.categories ?? [],
    },
    keywords: req.keywords.map((k) => k.trim().toLowerCase()).filter((k) => k !== ''),
    auctionType: 2,
    blockedCategories: req.blockedCategories,
    blockedDomains: req.blockedDomains.map((d) => d.toLowerCase()),
    blockedApps: [],
  };
  const slots = req.placements.map(
    (p): Slot => ({
      id: p.id,
      banner: { sizes: p.sizes, blockedAttributes: [] },
      floorMicros: floorMicros(p.floorCpm ?? 0, req.currency, catalog.currency, catalog.currencyRates),
      deals: [],
      privateAuction: false,
      keyValues: { ...req.keyValues, ...(p.keyValues ?? {}) },
    }),
  );
  return { request, slots };
}

/** The host of an absolute URL, or undefined. */
export function hostOf(url: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/?#:@]+)/i.exec(url)?.[1];
}
