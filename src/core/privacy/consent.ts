/**
 * The consent gate: from the signals a request carries to what processing is allowed.
 *
 * Interim rule set until TCF / GPP strings are decoded (privacy issue): wherever a signal
 * requires a decoded string to prove consent, we fail closed to contextual-only. A request is
 * never refused for its consent signals; it is served without the profile.
 */

export interface ConsentSignals {
  /** `regs.gdpr` (or `regs.ext.gdpr`): true = GDPR applies. */
  readonly gdprApplies?: boolean;
  readonly tcString?: string;
  readonly usPrivacy?: string;
  readonly gppSid?: readonly number[];
  readonly coppa?: boolean;
}

export type ProcessingMode = 'behavioural' | 'contextual';

export type ConsentReason =
  | 'no_restriction'
  | 'coppa'
  | 'gdpr_consent_unverified'
  | 'us_privacy_opt_out'
  | 'gpp_us_unverified';

export interface ConsentDecision {
  readonly mode: ProcessingMode;
  readonly reason: ConsentReason;
}

/** GPP section ids of the US national and state sections (7 = usnat, 8–12 = CA, VA, CO, UT, CT). */
const GPP_US_SECTIONS = new Set([7, 8, 9, 10, 11, 12]);

export function consentGate(s: ConsentSignals): ConsentDecision {
  if (s.coppa) return { mode: 'contextual', reason: 'coppa' };
  if (s.gdprApplies) return { mode: 'contextual', reason: 'gdpr_consent_unverified' };
  if (s.usPrivacy !== undefined && s.usPrivacy.length === 4 && s.usPrivacy[2]?.toUpperCase() === 'Y') {
    return { mode: 'contextual', reason: 'us_privacy_opt_out' };
  }
  if (s.gppSid?.some((sid) => GPP_US_SECTIONS.has(sid))) return { mode: 'contextual', reason: 'gpp_us_unverified' };
  return { mode: 'behavioural', reason: 'no_restriction' };
}
