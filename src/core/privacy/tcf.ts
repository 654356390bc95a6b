/**
 * IAB TCF v2 (GDPR): the TC string decoded by the IAB's own library, reduced to the few facts
 * our processing depends on, and the rule over them.
 *
 * Purposes we use: 1 store/access information on a device (cookie and device ids), 2 basic ads,
 * 3 create a personalised-ads profile, 4 use it. Special Feature 1: precise geolocation.
 * Legal bases as TCF 2.2 allows them: Purpose 2 by consent or legitimate interest (with the
 * vendor's matching signal), Purposes 1, 3 and 4 by consent only.
 */
import { RestrictionType, TCString } from '@iabtechlabtcf/core';
import { tcfDecodeIsBounded } from './decode-cost';
import type { RuleOutcome } from './decision';

/** Longer than any real TC string or GPP string (a full vendor list is a few KB); decoding cost grows with length. */
export const MAX_CONSENT_STRING_CHARS = 16_384;

type OurPurpose = 1 | 2 | 3 | 4;
const OUR_PURPOSES: readonly OurPurpose[] = [1, 2, 3, 4];
/** What behavioural use (device ids, the profile) needs consent for, in the order reasons name them. */
const PROFILE_PURPOSES = [1, 3, 4] as const;

export interface TcfFacts {
  /** Purpose consent, after the publisher's restrictions for our vendor. */
  readonly purposeConsent: Readonly<Record<OurPurpose, boolean>>;
  /** Legitimate interest for Purpose 2, after the publisher's restrictions for our vendor. */
  readonly purpose2LegitimateInterest: boolean;
  readonly vendorConsent: boolean;
  readonly vendorLegitimateInterest: boolean;
  readonly specialFeature1: boolean;
}

/**
 * Null for anything that is not a decodable TCF v2 string, or whose decoding would cost more
 * than a real string's (decode-cost.ts). The library throws assorted errors (and TypeErrors) on
 * garbage; none of them may escape.
 */
export function readTcf(tcString: string, vendorId: number | null): TcfFacts | null {
  if (tcString.length > MAX_CONSENT_STRING_CHARS || !tcfDecodeIsBounded(tcString)) return null;
  try {
    const tc = TCString.decode(tcString);
    if (tc.version !== 2) return null;
    const restriction = (purpose: number): RestrictionType | undefined =>
      vendorId === null ? undefined : tc.publisherRestrictions.getRestrictionType(vendorId, purpose);
    const purposeConsent = { 1: false, 2: false, 3: false, 4: false };
    for (const p of OUR_PURPOSES) {
      const r = restriction(p);
      purposeConsent[p] = tc.purposeConsents.has(p) && r !== RestrictionType.NOT_ALLOWED && r !== RestrictionType.REQUIRE_LI;
    }
    const r2 = restriction(2);
    return {
      purposeConsent,
      purpose2LegitimateInterest:
        tc.purposeLegitimateInterests.has(2) && r2 !== RestrictionType.NOT_ALLOWED && r2 !== RestrictionType.REQUIRE_CONSENT,
      vendorConsent: vendorId !== null && tc.vendorConsents.has(vendorId),
      vendorLegitimateInterest: vendorId !== null && tc.vendorLegitimateInterests.has(vendorId),
      specialFeature1: tc.specialFeatureOptins.has(1),
    };
  } catch {
    return null;
  }
}

export type TcfInput = { readonly kind: 'missing' } | { readonly kind: 'malformed' } | { readonly kind: 'read'; readonly facts: TcfFacts };

export interface GdprPolicy {
  /** What to do where GDPR applies and the TC string is missing or malformed. */
  readonly gdprWithoutConsent: 'no_bid' | 'contextual';
}

/** The rule where GDPR applies. */
export function tcfOutcome(input: TcfInput, policy: GdprPolicy): RuleOutcome {
  if (input.kind !== 'read') {
    const reason = input.kind === 'missing' ? 'gdpr_consent_missing' : 'gdpr_consent_malformed';
    return { mode: policy.gdprWithoutConsent, reason, preciseGeo: false, deviceIds: false, checks: ['gdpr=1', `tcf=${input.kind}`] };
  }
  const f = input.facts;
  const consentBasis = f.purposeConsent[2] && f.vendorConsent;
  const liBasis = f.purpose2LegitimateInterest && f.vendorLegitimateInterest;
  const checks = [
    'gdpr=1',
    'tcf=v2',
    `tcf.p2=${f.purposeConsent[2] ? 'consent' : f.purpose2LegitimateInterest ? 'li' : 'none'}`,
    `tcf.vendor=${f.vendorConsent ? 'consent' : f.vendorLegitimateInterest ? 'li' : 'none'}`,
    `tcf.p1,p3,p4=${PROFILE_PURPOSES.map((p) => (f.purposeConsent[p] ? 'y' : 'n')).join('')}`,
    `tcf.sf1=${f.specialFeature1 ? 'y' : 'n'}`,
  ];
  if (!consentBasis && !liBasis) {
    const purposeMissing = !f.purposeConsent[2] && !f.purpose2LegitimateInterest;
    return { mode: 'no_bid', reason: purposeMissing ? 'tcf_purpose_2_missing' : 'tcf_vendor_missing', preciseGeo: false, deviceIds: false, checks };
  }
  const preciseGeo = f.specialFeature1;
  const missing = PROFILE_PURPOSES.find((p) => !f.purposeConsent[p]);
  if (missing !== undefined || !f.vendorConsent) {
    const reason = missing === 1 ? 'tcf_purpose_1_missing' : missing === 3 ? 'tcf_purpose_3_missing' : missing === 4 ? 'tcf_purpose_4_missing' : 'tcf_vendor_consent_missing';
    return { mode: 'contextual', reason, preciseGeo, deviceIds: false, checks };
  }
  return { mode: 'behavioural', reason: preciseGeo ? 'tcf_granted' : 'tcf_special_feature_1_missing', preciseGeo, deviceIds: true, checks };
}
