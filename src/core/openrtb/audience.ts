/**
 * Who a bid request is about and what it lets us do: the candidate user keys and the consent
 * signals, both needed before the catalog is. Which key may actually be used depends on the
 * consent gate's decision (`userKeyFor`).
 */
import { isUsableUserId, type UserKey } from '../identity/user-key';
import type { ConsentDecision, ConsentSignals } from '../privacy/consent';
import type { BidRequest } from './request-schema';

export interface BidAudience {
  /** Usable stable ids in order of preference (raw, unhashed); empty when the request has none. */
  readonly userKeys: readonly UserKey[];
  readonly consent: ConsentSignals;
  readonly tmaxMs: number | undefined;
}

export function bidAudience(req: BidRequest): BidAudience {
  return { userKeys: userKeys(req), consent: consentSignals(req), tmaxMs: req.tmax };
}

/**
 * Our own id as synced with the exchange first (`buyeruid`, the id our events carry), then the
 * device advertising id, then the exchange's user id.
 */
function userKeys(req: BidRequest): UserKey[] {
  // The device id before the exchange's id: events can build `ifa` profiles, while nothing can
  // write an `xid` profile until identity linking exists.
  const candidates: [UserKey['kind'], string | undefined][] = [
    ['uid', req.user?.buyeruid],
    ['ifa', req.device?.ifa],
    ['xid', req.user?.id],
  ];
  const keys: UserKey[] = [];
  for (const [kind, value] of candidates) {
    if (value !== undefined && isUsableUserId(value)) keys.push({ kind, value });
  }
  return keys;
}

/**
 * The key to look the user up by, or null. Nothing without behavioural consent; without
 * permission for device ids (LMT, ATT, DNT) only our first-party id — the device id and the
 * exchange's id (often derived from the device id) are both out.
 */
export function userKeyFor(keys: readonly UserKey[], consent: Pick<ConsentDecision, 'mode' | 'deviceIds'>): UserKey | null {
  if (consent.mode !== 'behavioural') return null;
  return keys.find((k) => k.kind === 'uid' || consent.deviceIds) ?? null;
}

function consentSignals(req: BidRequest): ConsentSignals {
  const regs = req.regs;
  const gdpr = regs?.gdpr ?? regs?.ext?.gdpr;
  const tcString = req.user?.consent ?? req.user?.ext?.consent;
  const usPrivacy = regs?.us_privacy ?? regs?.ext?.us_privacy;
  const gppSid = regs?.gpp_sid ?? regs?.ext?.gpp_sid;
  const gpp = regs?.gpp ?? regs?.ext?.gpp;
  const atts = attStatus(req.device?.ext);
  return {
    ...(gdpr !== undefined ? { gdprApplies: gdpr === 1 } : {}),
    ...(tcString !== undefined ? { tcString } : {}),
    ...(usPrivacy !== undefined ? { usPrivacy } : {}),
    ...(gpp !== undefined ? { gpp } : {}),
    ...(gppSid ? { gppSid } : {}),
    coppa: regs?.coppa === 1,
    lmt: req.device?.lmt === 1,
    dnt: req.device?.dnt === 1,
    ...(atts !== undefined ? { atts } : {}),
  };
}

/** `device.ext.atts` passes through the schema untyped: only an integer is a status. */
function attStatus(ext: unknown): number | undefined {
  if (typeof ext !== 'object' || ext === null || !('atts' in ext)) return undefined;
  const atts = ext.atts;
  return typeof atts === 'number' && Number.isInteger(atts) ? atts : undefined;
}
