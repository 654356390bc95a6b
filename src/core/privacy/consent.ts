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
  /** The GPP string (`regs.gpp`) and the sections it applies (`regs.gpp_sid`). */
  readonly gpp?: string;
  readonly gppSid?: readonly number[];
  readonly coppa?: boolean;
}

export type ProcessingMode = 'behavioural' | 'contextual';

export type ConsentReason =
  | 'no_restriction'
  | 'coppa'
  | 'gdpr_consent_unverified'
  | 'us_privacy_opt_out'
  | 'gpp_unverified';

export interface ConsentDecision {
  readonly mode: ProcessingMode;
  readonly reason: ConsentReason;
}

export function consentGate(s: ConsentSignals): ConsentDecision {
  if (s.coppa) return { mode: 'contextual', reason: 'coppa' };
  if (s.gdprApplies) return { mode: 'contextual', reason: 'gdpr_consent_unverified' };
  if (s.usPrivacy !== undefined && s.usPrivacy.length === 4 && s.usPrivacy[2]?.toUpperCase() === 'Y') {
    return { mode: 'contextual', reason: 'us_privacy_opt_out' };
  }
  // Every GPP section (EU TCF 2, Canada, US Privacy, US national and state sections) may carry an
  // opt-out we cannot read yet; a string or section list we cannot decode is not consent.
  if ((s.gpp !== undefined && s.gpp !== '') || s.gppSid?.some((sid) => sid > 0)) {
    return { mode: 'contextual', reason: 'gpp_unverified' };
  }
  return { mode: 'behavioural', reason: 'no_restriction' };
}
