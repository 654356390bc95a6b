/**
 * What the consent gate answers, and how the answers of its separate rules (COPPA, GDPR/TCF,
 * GPP, US Privacy, device signals) combine into one: the most restrictive mode wins, every
 * permission must be granted by every rule, and the reason is the first rule (in precedence
 * order) that made the decision what it is.
 */

export type ProcessingMode = 'behavioural' | 'contextual' | 'no_bid';

/** Stable machine codes (headers, explain traces, event answers carry them): never rename one. */
export const CONSENT_REASONS = [
  /** No signal restricts anything. */
  'no_restriction',
  /** GDPR applies and the TC string grants everything behavioural use needs. */
  'tcf_granted',
  'coppa',
  /** GDPR applies and there is no TC string. */
  'gdpr_consent_missing',
  /** GDPR applies and the TC string cannot be decoded (or is not TCF v2). */
  'gdpr_consent_malformed',
  /** No legal basis (consent or legitimate interest) for Purpose 2, basic ads: no bid. */
  'tcf_purpose_2_missing',
  /** Our vendor has neither consent nor legitimate interest (or no vendor id is configured): no bid. */
  'tcf_vendor_missing',
  'tcf_purpose_1_missing',
  'tcf_purpose_3_missing',
  'tcf_purpose_4_missing',
  /** Purposes granted, but not to our vendor (consent, not legitimate interest, is needed for profiling). */
  'tcf_vendor_consent_missing',
  /** Special Feature 1 (precise geolocation) not opted in. */
  'tcf_special_feature_1_missing',
  'us_privacy_opt_out',
  'us_privacy_malformed',
  /** A GPP US section opts out of sale, sharing or targeted advertising (or GPC, no notice, service-provider mode). */
  'gpp_us_opt_out',
  /** A GPP US section flags a known child. */
  'gpp_us_child',
  /** A GPP US section restricts sensitive data (precise geolocation is one). */
  'gpp_us_sensitive_data',
  /** A GPP string or a US section it names cannot be read, so it may hide an opt-out. */
  'gpp_undecodable',
  'lmt',
  'dnt',
  /** iOS App Tracking Transparency not authorised (`device.ext.atts` 0, 1 or 2). */
  'att_not_authorized',
] as const;

export type ConsentReason = (typeof CONSENT_REASONS)[number];

export interface ConsentDecision {
  readonly mode: ProcessingMode;
  /** Stable machine code for the deciding rule, e.g. 'tcf_purpose_1_missing', 'coppa', 'us_privacy_opt_out'. */
  readonly reason: ConsentReason;
  /** Precise geo (lat/lon, metro, zip) may be used (TCF Special Feature 1 where GDPR applies; never under COPPA). */
  readonly preciseGeo: boolean;
  /** Device ids (ifa) and the exchange's user id may be used (false under lmt / ATT 0-2 / COPPA / opt-outs). */
  readonly deviceIds: boolean;
  /** Profile may be written from this request/event (false whenever mode !== 'behavioural'). */
  readonly writeProfile: boolean;
  /** A short list of what was checked, for the explain trace (no raw consent strings). */
  readonly checks: readonly string[];
}

/** One rule's verdict: the most it allows. `reason` is null when the rule restricts nothing. */
export interface RuleOutcome {
  readonly mode: ProcessingMode;
  readonly reason: ConsentReason | null;
  readonly preciseGeo: boolean;
  readonly deviceIds: boolean;
  readonly checks: readonly string[];
}

export const ALLOW_ALL: RuleOutcome = { mode: 'behavioural', reason: null, preciseGeo: true, deviceIds: true, checks: [] };

const RANK: Record<ProcessingMode, number> = { no_bid: 0, contextual: 1, behavioural: 2 };

function restricts(o: RuleOutcome): boolean {
  return o.reason !== null && (o.mode !== 'behavioural' || !o.preciseGeo || !o.deviceIds);
}

/** `outcomes` in precedence order: the first rule that restricts at the final mode names the reason. */
export function combine(outcomes: readonly RuleOutcome[]): ConsentDecision {
  let mode: ProcessingMode = 'behavioural';
  for (const o of outcomes) if (RANK[o.mode] < RANK[mode]) mode = o.mode;
  const deciding =
    outcomes.find((o) => o.mode === mode && restricts(o)) ?? outcomes.find(restricts) ?? outcomes.find((o) => o.reason !== null);
  const behavioural = mode === 'behavioural';
  return {
    mode,
    reason: deciding?.reason ?? 'no_restriction',
    preciseGeo: mode !== 'no_bid' && outcomes.every((o) => o.preciseGeo),
    // Ids only identify a user to look up or write: without behavioural use there is no reason to touch one.
    deviceIds: behavioural && outcomes.every((o) => o.deviceIds),
    writeProfile: behavioural,
    checks: outcomes.flatMap((o) => o.checks),
  };
}
