/**
 * The IAB US Privacy string (CCPA, `regs.us_privacy`, or GPP section 6): version `1`, then
 * notice given, opted out of sale, LSPA covered — each `Y`, `N` or `-` (not applicable).
 */
import type { RuleOutcome } from './decision';

const US_PRIVACY = /^1[YN-][YN-][YN-]$/i;

export function usPrivacyOutcome(usPrivacy: string, source: 'regs' | 'gpp'): RuleOutcome {
  const label = source === 'regs' ? 'usp' : 'gpp.usp';
  if (!US_PRIVACY.test(usPrivacy)) {
    // An opt-out we cannot read is not consent: served, but without ids or the profile.
    return { mode: 'contextual', reason: 'us_privacy_malformed', preciseGeo: true, deviceIds: false, checks: [`${label}=malformed`] };
  }
  if (usPrivacy[2]?.toUpperCase() === 'Y') {
    return { mode: 'contextual', reason: 'us_privacy_opt_out', preciseGeo: true, deviceIds: false, checks: [`${label}=opt-out`] };
  }
  return { mode: 'behavioural', reason: null, preciseGeo: true, deviceIds: true, checks: [`${label}=no-opt-out`] };
}
