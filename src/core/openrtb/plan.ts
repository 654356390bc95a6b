/**
 * Maps a validated OpenRTB BidRequest onto what the engine and the edges need: slots with
 * sizes and floors, request-level blocks, the user key to look up, and the consent signals.
 */
import type { Slot, Size } from '../engine/decide';
import { floorMicros } from '../engine/pricing';
import type { BidRequest } from './request-schema';

export interface BidPlan {
  readonly slots: readonly Slot[];
  readonly blockedCategories: readonly string[];
  readonly blockedDomains: readonly string[];
  readonly explain: boolean;
}

interface BidderTable {
  /** Our seat id at the exchange, checked against `wseat` / `bseat`. */
  readonly seat: string;
  readonly currency: string;
  readonly currencyRates: Readonly<Record<string, number>>;
}

type Imp = BidRequest['imp'][number];

export function planBid(req: BidRequest, money: BidderTable): BidPlan {
  // `cur` lists the currencies the exchange accepts; if ours is not among them we cannot price.
  const currencyOk = !req.cur || req.cur.length === 0 || req.cur.includes(money.currency);
  const seatOk = (!req.wseat || req.wseat.length === 0 || req.wseat.includes(money.seat)) && !req.bseat?.includes(money.seat);
  return {
    slots: req.imp.map((imp) => {
      // We carry no deals yet, so a private auction (deals only) is not ours to bid in.
      const closed = !seatOk ? 'seat_blocked' : imp.pmp?.private_auction === 1 ? 'deals_only' : undefined;
      return {
        id: imp.id,
        sizes: bannerSizes(imp),
        floorMicros: currencyOk ? floorMicros(imp.bidfloor, imp.bidfloorcur ?? 'USD', money.currency, money.currencyRates) : null,
        ...(closed ? { closed } : {}),
      };
    }),
    blockedCategories: req.bcat ?? [],
    blockedDomains: req.badv ?? [],
    explain: explainRequested(req.ext),
  };
}

function bannerSizes(imp: Imp): Size[] {
  const banner = imp.banner;
  if (!banner) return [];
  const sizes: Size[] = [];
  for (const f of banner.format ?? []) {
    if (f.w !== undefined && f.h !== undefined && f.w > 0 && f.h > 0) sizes.push({ w: f.w, h: f.h });
  }
  if (sizes.length === 0 && banner.w !== undefined && banner.h !== undefined && banner.w > 0 && banner.h > 0) {
    sizes.push({ w: banner.w, h: banner.h });
  }
  return sizes;
}

/** `ext.edgebid.explain: true` asks for the per-line-item trace in the response ext. */
function explainRequested(ext: unknown): boolean {
  if (typeof ext !== 'object' || ext === null || !('edgebid' in ext)) return false;
  const own: unknown = ext.edgebid;
  return typeof own === 'object' && own !== null && 'explain' in own && own.explain === true;
}
