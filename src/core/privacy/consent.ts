/**
 * The consent gate: from the signals a request (or an event batch) carries to what processing
 * is allowed — behavioural, contextual only, or no bid — computed once per request.
 *
 * Rules, in precedence order (the first that decides names the reason): COPPA; GDPR with the TC
 * string (TCF v2, also from GPP section 2); the GPP US sections in force; the US Privacy string
 * (also from GPP section 6); Limit Ad Tracking, Do Not Track and iOS ATT. A malformed string
 * never throws and is never read as consent. README "Privacy" has the table.
 *
 * Decoding is injectable so the edge can cache decoded strings; the defaults decode directly.
 */
import { ALLOW_ALL, combine, type ConsentDecision, type RuleOutcome } from './decision';
import { GPP_FIRST_US_SID, GPP_SID_TCF_EU, GPP_SID_US_PRIVACY, gppUsOutcome, readGpp, type GppFacts } from './gpp';
import { readTcf, tcfOutcome, type TcfFacts, type TcfInput } from './tcf';
import { usPrivacyOutcome } from './us-privacy';

export type { ConsentDecision, ConsentReason, ProcessingMode } from './decision';
export { CONSENT_REASONS } from './decision';

export interface ConsentSignals {
  /** `regs.gdpr` (or `regs.ext.gdpr`): true = GDPR applies. Unset: applies only if `gppSid` names section 2. */
  readonly gdprApplies?: boolean;
  readonly tcString?: string;
  readonly usPrivacy?: string;
  /** The GPP string (`regs.gpp`) and the sections in force (`regs.gpp_sid`). */
  readonly gpp?: string;
  readonly gppSid?: readonly number[];
  readonly coppa?: boolean;
  /** `device.lmt = 1`. */
  readonly lmt?: boolean;
  /** `device.dnt = 1`. */
  readonly dnt?: boolean;
  /** iOS App Tracking Transparency status (`device.ext.atts`): 0 not determined, 1 restricted, 2 denied, 3 authorized. */
  readonly atts?: number;
}

export interface ConsentPolicy {
  /** Our IAB Global Vendor List id; null = not registered, so no TC string grants us anything. */
  readonly tcfVendorId: number | null;
  /** Where GDPR applies and the TC string is missing or malformed. */
  readonly gdprWithoutConsent: 'no_bid' | 'contextual';
}

export interface ConsentDecoders {
  /** Null = not a decodable TCF v2 string. */
  readonly tcf: (tcString: string, vendorId: number | null) => TcfFacts | null;
  /** Null = not a decodable GPP string. */
  readonly gpp: (gpp: string) => GppFacts | null;
}

export const DIRECT_DECODERS: ConsentDecoders = { tcf: readTcf, gpp: readGpp };

export function consentGate(signals: ConsentSignals, policy: ConsentPolicy, decoders: ConsentDecoders = DIRECT_DECODERS): ConsentDecision {
  const gppString = nonEmpty(signals.gpp);
  // undefined = no GPP string; null = a string we cannot read.
  const gpp = gppString === undefined ? undefined : decoders.gpp(gppString);
  // `gpp_sid` says which sections are in force ([-1] or [0]: none); without it, every section
  // the string carries counts, so an opt-out in it is never ignored.
  const sids = signals.gppSid !== undefined ? signals.gppSid.filter((sid) => sid > 0) : (gpp?.sectionIds ?? []);

  const outcomes: RuleOutcome[] = [];
  if (signals.coppa) {
    outcomes.push({ mode: 'contextual', reason: 'coppa', preciseGeo: false, deviceIds: false, checks: ['coppa=1'] });
  }
  outcomes.push(gdprOutcome(signals, sids, gpp, policy, decoders));
  if (gpp === null && signals.gppSid === undefined) {
    outcomes.push({ mode: 'contextual', reason: 'gpp_undecodable', preciseGeo: false, deviceIds: false, checks: ['gpp=undecodable'] });
  }
  for (const sid of sids) {
    if (sid >= GPP_FIRST_US_SID) outcomes.push(gppUsOutcome(sid, gpp === undefined ? undefined : gpp === null ? null : gpp.us.get(sid)));
  }
  outcomes.push(usPrivacyRule(signals, sids, gpp));
  outcomes.push(...deviceOutcomes(signals));
  return combine(outcomes);
}

function gdprOutcome(
  signals: ConsentSignals,
  sids: readonly number[],
  gpp: GppFacts | null | undefined,
  policy: ConsentPolicy,
  decoders: ConsentDecoders,
): RuleOutcome {
  const gdprApplies = signals.gdprApplies ?? sids.includes(GPP_SID_TCF_EU);
  if (!gdprApplies) return { ...ALLOW_ALL, checks: [signals.gdprApplies === false ? 'gdpr=0' : 'gdpr=unset'] };
  const tcString = nonEmpty(signals.tcString) ?? (sids.includes(GPP_SID_TCF_EU) ? nonEmpty(gpp?.tcString ?? undefined) : undefined);
  let input: TcfInput = { kind: 'missing' };
  if (tcString !== undefined) {
    const facts = decoders.tcf(tcString, policy.tcfVendorId);
    input = facts ? { kind: 'read', facts } : { kind: 'malformed' };
  }
  return tcfOutcome(input, policy);
}

function usPrivacyRule(signals: ConsentSignals, sids: readonly number[], gpp: GppFacts | null | undefined): RuleOutcome {
  const fromRegs = nonEmpty(signals.usPrivacy);
  if (fromRegs !== undefined) return usPrivacyOutcome(fromRegs, 'regs');
  if (!sids.includes(GPP_SID_US_PRIVACY)) return ALLOW_ALL;
  const fromGpp = nonEmpty(gpp?.usPrivacy ?? undefined);
  return fromGpp !== undefined ? usPrivacyOutcome(fromGpp, 'gpp') : gppUsOutcome(GPP_SID_US_PRIVACY, gpp === null ? null : undefined);
}

function deviceOutcomes(signals: ConsentSignals): RuleOutcome[] {
  const out: RuleOutcome[] = [];
  const noIds = (reason: 'lmt' | 'dnt' | 'att_not_authorized', check: string): RuleOutcome => ({
    mode: 'behavioural',
    reason,
    preciseGeo: true,
    deviceIds: false,
    checks: [check],
  });
  if (signals.lmt) out.push(noIds('lmt', 'lmt=1'));
  // Do Not Track has no legal force in OpenRTB, but it is the user's stated wish: treated like LMT.
  if (signals.dnt) out.push(noIds('dnt', 'dnt=1'));
  if (signals.atts !== undefined && [0, 1, 2].includes(signals.atts)) out.push(noIds('att_not_authorized', `atts=${signals.atts}`));
  return out;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === '' ? undefined : s;
}
