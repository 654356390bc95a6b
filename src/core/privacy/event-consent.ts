/**
 * Consent signals on the events API: a batch-level `consent` object, optionally overridden
 * field by field on each event (a batch from a server often mixes users, each with their own
 * TC string, under one `gdpr` flag). Missing consent is never an error: the gate decides what
 * an event may be used for.
 */
import { z } from 'zod';
import type { UserKeyKind } from '../identity/user-key';
import type { ConsentDecision, ConsentSignals } from './consent';

const flag = z.union([z.literal(0), z.literal(1)]);

export const eventConsentSchema = z.strictObject({
  /** 1 = GDPR applies (OpenRTB `regs.gdpr`). */
  gdpr: flag.optional(),
  /** The TCF v2 TC string. */
  tcString: z.string().max(65_536).optional(),
  /** The US Privacy string, e.g. `1YNN`. */
  usPrivacy: z.string().max(64).optional(),
  gpp: z.string().max(65_536).optional(),
  /** The GPP sections in force. */
  gppSid: z.array(z.number().int()).max(64).optional(),
  /** 1 = child-directed (COPPA): never profiled. */
  coppa: flag.optional(),
});

export type EventConsent = z.infer<typeof eventConsentSchema>;

/** The event's own fields win over the batch's. */
export function eventConsentSignals(batch: EventConsent | undefined, event: EventConsent | undefined): ConsentSignals {
  const c = { ...batch, ...event };
  return {
    ...(c.gdpr !== undefined ? { gdprApplies: c.gdpr === 1 } : {}),
    ...(c.tcString !== undefined ? { tcString: c.tcString } : {}),
    ...(c.usPrivacy !== undefined ? { usPrivacy: c.usPrivacy } : {}),
    ...(c.gpp !== undefined ? { gpp: c.gpp } : {}),
    ...(c.gppSid !== undefined ? { gppSid: c.gppSid } : {}),
    ...(c.coppa !== undefined ? { coppa: c.coppa === 1 } : {}),
  };
}

/** Whether an event keyed by a `kind` id may build a profile under `decision`. */
export function mayProfile(decision: Pick<ConsentDecision, 'writeProfile' | 'deviceIds'>, kind: UserKeyKind): boolean {
  return decision.writeProfile && (kind === 'uid' || decision.deviceIds);
}
