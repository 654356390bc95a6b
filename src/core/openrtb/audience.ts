/**
 * Who a bid request is about and what it lets us do: the user key to look up and the consent
 * signals, both needed before the catalog is.
 */
import { isUsableUserId, type UserKey } from '../identity/user-key';
import type { ConsentSignals } from '../privacy/consent';
import type { BidRequest } from './request-schema';

export interface BidAudience {
  /** Raw (unhashed) key, or null when the request carries no usable stable id. */
  readonly userKey: UserKey | null;
  readonly consent: ConsentSignals;
  readonly tmaxMs: number | undefined;
}

export function bidAudience(req: BidRequest): BidAudience {
  return { userKey: userKey(req), consent: consentSignals(req), tmaxMs: req.tmax };
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

