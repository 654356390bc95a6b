/**
 * Maps a validated OpenRTB BidRequest onto what the engine needs: the request context (geo,
 * device, inventory, keywords, blocks) and one slot per imp (media, floors, deals, key-values).
 * What the consent gate does not allow is left out here, so the engine cannot use it.
 */
import { floorMicros } from '../engine/pricing';
import type { DealSpec, RequestContext, RequestGeo, RequestInventory, Slot } from '../engine/request-context';
import { mediaSpecs } from './media-spec';
import type { BidRequest } from './request-schema';

export interface BidPlan {
  readonly request: RequestContext;
  readonly slots: readonly Slot[];
  /** The caller asked for the explain trace (`test: 1` or `ext.edgebid.explain: true`); the edge decides whether to honour it. */
  readonly explainRequested: boolean;
}

export interface BidderTable {
  /** Our seat id at the exchange, checked against `wseat` / `bseat` and deal `wseat`. */
  readonly seat: string;
  readonly currency: string;
  readonly currencyRates: Readonly<Record<string, number>>;
}

/** What the consent gate allows this plan to carry. */
export interface PlanPermissions {
  /** Metro, postal code (precise geo): TCF Special Feature 1 where GDPR applies, never under COPPA. */
  readonly preciseGeo: boolean;
  /** The user's own data in the request (`user.keywords`, `user.kwarray`): behavioural consent only. */
  readonly userData: boolean;
}

type Ext = Record<string, unknown> | undefined;

export function planBid(req: BidRequest, money: BidderTable, allow: PlanPermissions): BidPlan {
  // `cur` lists the currencies the exchange accepts; if ours is not among them we cannot price.
  const currencyOk = !req.cur || req.cur.length === 0 || req.cur.includes(money.currency);
  const seatOk = (!req.wseat || req.wseat.length === 0 || req.wseat.includes(money.seat)) && !req.bseat?.includes(money.seat);
  const price = (floor: number | undefined, cur: string | undefined): number | null =>
    currencyOk ? floorMicros(floor ?? 0, cur ?? 'USD', money.currency, money.currencyRates) : null;
  const inventoryKv = keyValues(dataOf((req.site ?? req.app)?.ext));
  return {
    request: requestContext(req, allow),
    slots: req.imp.map((imp): Slot => {
      const deals: DealSpec[] = (imp.pmp?.deals ?? [])
        // A deal that names its buyers and not us is not ours to bid in.
        .filter((d) => !d.wseat || d.wseat.length === 0 || d.wseat.includes(money.seat))
        .map((d) => ({ id: d.id, floorMicros: price(d.bidfloor ?? imp.bidfloor, d.bidfloorcur ?? imp.bidfloorcur) }));
      return {
        id: imp.id,
        ...mediaSpecs(imp),
        floorMicros: price(imp.bidfloor, imp.bidfloorcur),
        deals,
        privateAuction: imp.pmp?.private_auction === 1,
        keyValues: { ...inventoryKv, ...keyValues(dataOf(imp.ext)) },
        ...(!seatOk ? { closed: 'seat_blocked' as const } : {}),
      };
    }),
    explainRequested: req.test === 1 || explainExt(req.ext),
  };
}

function requestContext(req: BidRequest, allow: PlanPermissions): RequestContext {
  return {
    geo: geoOf(req, allow),
    device: {
      ...(req.device?.devicetype !== undefined ? { type: req.device.devicetype } : {}),
      ...(req.device?.os ? { os: req.device.os.toLowerCase() } : {}),
      ...(req.device?.make ? { make: req.device.make.toLowerCase() } : {}),
    },
    inventory: inventoryOf(req),
    keywords: keywordsOf(req, allow.userData),
    auctionType: req.at === 1 ? 1 : 2,
    blockedCategories: req.bcat ?? [],
    blockedDomains: (req.badv ?? []).map((d) => d.toLowerCase()),
    blockedApps: req.bapp ?? [],
  };
}

function geoOf(req: BidRequest, allow: PlanPermissions): RequestGeo {
  // The device's geo is where the user is now; `user.geo` is their home base.
  const g = req.device?.geo ?? req.user?.geo;
  if (!g) return {};
  return {
    ...(g.country ? { country: g.country.toUpperCase() } : {}),
    ...(g.region ? { region: g.region.toUpperCase() } : {}),
    ...(allow.preciseGeo && g.metro ? { metro: g.metro } : {}),
    ...(allow.preciseGeo && g.zip ? { postal: g.zip.toUpperCase().replaceAll(' ', '') } : {}),
    ...(g.utcoffset !== undefined ? { utcOffsetMinutes: g.utcoffset } : {}),
  };
}

function inventoryOf(req: BidRequest): RequestInventory {
  const { site, app } = req;
  const inv = site ?? app;
  if (!inv) return { kind: 'unknown', categories: [] };
  const categories = [...(inv.cat ?? []), ...(inv.sectioncat ?? []), ...(inv.pagecat ?? []), ...(inv.content?.cat ?? [])];
  const domain = (inv.domain ?? (site?.page ? hostOf(site.page) : undefined))?.toLowerCase();
  return {
    kind: site ? 'site' : 'app',
    ...(domain ? { domain } : {}),
    ...(app?.bundle ? { bundle: app.bundle } : {}),
    ...(inv.publisher?.id ? { publisherId: inv.publisher.id } : {}),
    categories,
  };
}

function hostOf(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:@]+)/i.exec(url);
  return m?.[1];
}

function keywordsOf(req: BidRequest, userData: boolean): string[] {
  const inv = req.site ?? req.app;
  const sources: (string | readonly string[] | undefined)[] = [
    inv?.keywords,
    inv?.kwarray,
    inv?.content?.keywords,
    inv?.content?.kwarray,
    userData ? req.user?.keywords : undefined,
    userData ? req.user?.kwarray : undefined,
  ];
  const out = new Set<string>();
  for (const s of sources) {
    if (s === undefined) continue;
    for (const k of typeof s === 'string' ? s.split(',') : s) {
      const w = k.trim().toLowerCase();
      if (w) out.add(w);
    }
  }
  return [...out];
}

/** Prebid-style first-party data: `ext.data` on the imp, site or app. */
function dataOf(ext: Ext): unknown {
  return ext?.data;
}

/** Key-values as strings; nested objects are not key-values and are skipped. */
function keyValues(data: unknown): Record<string, string[]> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(data)) {
    const values = (Array.isArray(v) ? v : [v]).flatMap((x: unknown) =>
      typeof x === 'string' ? [x] : typeof x === 'number' || typeof x === 'boolean' ? [String(x)] : [],
    );
    if (values.length > 0) out[k] = values;
  }
  return out;
}

/** `ext.edgebid.explain: true` asks for the per-line-item trace. */
function explainExt(ext: Ext): boolean {
  const own = ext?.edgebid;
  return typeof own === 'object' && own !== null && 'explain' in own && own.explain === true;
}

