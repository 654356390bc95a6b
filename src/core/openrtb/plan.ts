/**
 * Maps a validated OpenRTB BidRequest onto what the engine and the edges need: slots with
 * sizes and floors, request-level blocks, the user key to look up, and the consent signals.
 */
import type { Slot, Size } from '../engine/decide';
import { floorMicros } from '../engine/pricing';
import { isUsableUserId, type UserKey } from '../identity/user-key';
import type { ConsentSignals } from '../privacy/consent';
import type { BidRequest } from './request-schema';

export interface BidPlan {
  readonly slots: readonly Slot[];
  readonly blockedCategories: readonly string[];
  readonly blockedDomains: readonly string[];
  readonly explain: boolean;
}

/** Who the request is about and what it lets us do; needed before the catalog is. */
export interface BidAudience {
  /** Raw (unhashed) key, or null when the request carries no usable stable id. */
  readonly userKey: UserKey | null;
  readonly consent: ConsentSignals;
  readonly tmaxMs: number | undefined;
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

export function bidAudience(req: BidRequest): BidAudience {
  return { userKey: userKey(req), consent: consentSignals(req), tmaxMs: req.tmax };
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

/**
 * Our own id as synced with the exchange first (`buyeruid`, the id our events carry), then the
 * device advertising id, then the exchange's user id. Under Limit Ad Tracking only our own
 * first-party id may be used: no device id, and no exchange id (often derived from the device id).
 */
function userKey(req: BidRequest): UserKey | null {
  const lmt = req.device?.lmt === 1;
  // The device id before the exchange's id: events can build `ifa` profiles, while nothing can
  // write an `xid` profile until identity linking exists.
  const candidates: [UserKey['kind'], string | undefined][] = [
    ['uid', req.user?.buyeruid],
    ['ifa', lmt ? undefined : req.device?.ifa],
    ['xid', lmt ? undefined : req.user?.id],
  ];
  for (const [kind, value] of candidates) {
    if (value !== undefined && isUsableUserId(value)) return { kind, value };
  }
  return null;
}

function consentSignals(req: BidRequest): ConsentSignals {
  const regs = req.regs;
  const gdpr = regs?.gdpr ?? regs?.ext?.gdpr;
  const tcString = req.user?.consent ?? req.user?.ext?.consent;
  const usPrivacy = regs?.us_privacy ?? regs?.ext?.us_privacy;
  const gppSid = regs?.gpp_sid ?? regs?.ext?.gpp_sid;
  const gpp = regs?.gpp ?? regs?.ext?.gpp;
  return {
    ...(gdpr !== undefined ? { gdprApplies: gdpr === 1 } : {}),
    ...(tcString !== undefined ? { tcString } : {}),
    ...(usPrivacy !== undefined ? { usPrivacy } : {}),
    ...(gpp !== undefined ? { gpp } : {}),
    ...(gppSid ? { gppSid } : {}),
    coppa: regs?.coppa === 1,
  };
}

/** `ext.edgebid.explain: true` asks for the per-line-item trace in the response ext. */
function explainRequested(ext: unknown): boolean {
  if (typeof ext !== 'object' || ext === null || !('edgebid' in ext)) return false;
  const own: unknown = ext.edgebid;
  return typeof own === 'object' && own !== null && 'explain' in own && own.explain === true;
}
