/**
 * Golden table for the consent gate: signals (real TCF / GPP strings built with the IAB
 * encoders, US Privacy strings, COPPA / LMT / DNT / ATT) → the allowed processing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consentGate, CONSENT_REASONS, type ConsentDecision, type ConsentPolicy, type ConsentSignals } from './consent';
import { gppString, grantingTcString, OTHER_VENDOR_ID, tcString, TEST_VENDOR_ID } from './consent-strings.testing';

const POLICY: ConsentPolicy = { tcfVendorId: TEST_VENDOR_ID, gdprWithoutConsent: 'no_bid' };
const V = TEST_VENDOR_ID;

const ALL = grantingTcString();
const TC = {
  all: ALL,
  noSf1: tcString({ purposeConsents: [1, 2, 3, 4], vendorConsents: [V] }),
  basicByLi: tcString({ purposeConsents: [1, 3, 4], purposeLegitimateInterests: [2], vendorConsents: [V], vendorLegitimateInterests: [V], specialFeatureOptins: [1] }),
  liOnly: tcString({ purposeLegitimateInterests: [2], vendorLegitimateInterests: [V] }),
  nothing: tcString({}),
  otherVendor: tcString({ purposeConsents: [1, 2, 3, 4], vendorConsents: [OTHER_VENDOR_ID], specialFeatureOptins: [1] }),
  noP1: tcString({ purposeConsents: [2, 3, 4], vendorConsents: [V], specialFeatureOptins: [1] }),
  noP3: tcString({ purposeConsents: [1, 2, 4], vendorConsents: [V], specialFeatureOptins: [1] }),
  noP4: tcString({ purposeConsents: [1, 2, 3], vendorConsents: [V] }),
  vendorLiOnly: tcString({ purposeConsents: [1, 2, 3, 4], vendorLegitimateInterests: [V] }),
  vendorLiAndP2Li: tcString({ purposeConsents: [1, 2, 3, 4], purposeLegitimateInterests: [2], vendorLegitimateInterests: [V], specialFeatureOptins: [1] }),
  p3Restricted: tcString({
    purposeConsents: [1, 2, 3, 4],
    vendorConsents: [V],
    specialFeatureOptins: [1],
    restrictions: [{ vendorId: V, purposeId: 3, type: 'not_allowed' }],
  }),
  otherVendorRestricted: tcString({
    purposeConsents: [1, 2, 3, 4],
    vendorConsents: [V, OTHER_VENDOR_ID],
    specialFeatureOptins: [1],
    restrictions: [{ vendorId: OTHER_VENDOR_ID, purposeId: 3, type: 'not_allowed' }],
  }),
  p2LiButConsentRequired: tcString({
    purposeConsents: [1, 3, 4],
    purposeLegitimateInterests: [2],
    vendorConsents: [V],
    vendorLegitimateInterests: [V],
    restrictions: [{ vendorId: V, purposeId: 2, type: 'require_consent' }],
  }),
};

const noticesGiven = { SharingNotice: 1, SaleOptOutNotice: 1, SharingOptOutNotice: 1, TargetedAdvertisingOptOutNotice: 1 };
const noOptOut = { ...noticesGiven, SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 };
const GPP = {
  usnatNoOptOut: gppString({ usnat: noOptOut }),
  usnatAllZero: gppString({ usnat: { SaleOptOut: 0 } }),
  usnatSale: gppString({ usnat: { ...noOptOut, SaleOptOut: 1 } }),
  usnatSharing: gppString({ usnat: { ...noOptOut, SharingOptOut: 1 } }),
  usnatTargeted: gppString({ usnat: { ...noOptOut, TargetedAdvertisingOptOut: 1 } }),
  usnatGpc: gppString({ usnat: { ...noOptOut, GpcSegmentIncluded: true, Gpc: true } }),
  usnatNoNotice: gppString({ usnat: { ...noOptOut, SaleOptOutNotice: 2 } }),
  usnatNotApplicableNotice: gppString({ usnat: { ...noOptOut, SaleOptOutNotice: 0 } }),
  usnatServiceProvider: gppString({ usnat: { ...noOptOut, MspaServiceProviderMode: 1 } }),
  usnatChild: gppString({ usnat: { ...noOptOut, KnownChildSensitiveDataConsents: [1, 0, 0] } }),
  usnatSensitive: gppString({ usnat: { ...noOptOut, SensitiveDataProcessing: [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0] } }),
  uscaSharing: gppString({ usca: { SharingOptOut: 1 } }),
  usvaSale: gppString({ usva: { SaleOptOut: 1 } }),
  uscoTargeted: gppString({ usco: { TargetedAdvertisingOptOut: 1 } }),
  usutSale: gppString({ usut: { SaleOptOut: 1 } }),
  usctTargeted: gppString({ usct: { TargetedAdvertisingOptOut: 1 } }),
  uscaNoOptOut: gppString({ usca: { SaleOptOutNotice: 1, SharingOptOutNotice: 1, SaleOptOut: 2, SharingOptOut: 2 } }),
  tcfAll: gppString({ tcfeuv2: ALL }),
  tcfNothing: gppString({ tcfeuv2: TC.nothing }),
  uspOptOut: gppString({ uspv1: '1YYN' }),
  uspAndUsnat: gppString({ uspv1: '1YNN', usnat: noOptOut }),
};

type Expected = Omit<ConsentDecision, 'checks' | 'writeProfile'>;
const behavioural = (reason: Expected['reason'] = 'no_restriction', over: Partial<Expected> = {}): Expected => ({
  mode: 'behavioural',
  reason,
  preciseGeo: true,
  deviceIds: true,
  ...over,
});
const contextual = (reason: Expected['reason'], preciseGeo: boolean): Expected => ({ mode: 'contextual', reason, preciseGeo, deviceIds: false });
const noBid = (reason: Expected['reason']): Expected => ({ mode: 'no_bid', reason, preciseGeo: false, deviceIds: false });

const gdpr = (tc: string | undefined, extra: ConsentSignals = {}): ConsentSignals => ({ gdprApplies: true, ...(tc !== undefined ? { tcString: tc } : {}), ...extra });

const GOLDEN: [string, ConsentSignals, Expected, Partial<ConsentPolicy>?][] = [
  // No signals, or signals that restrict nothing.
  ['no signals at all', {}, behavioural()],
  ['gdpr=0 ignores even a broken TC string', { gdprApplies: false, tcString: 'garbage' }, behavioural()],
  ['gdpr unset: a TC string alone does not make GDPR apply', { tcString: TC.nothing }, behavioural()],

  // GDPR with a valid TC string.
  ['TCF: everything granted', gdpr(TC.all), behavioural('tcf_granted')],
  ['TCF: everything but Special Feature 1', gdpr(TC.noSf1), behavioural('tcf_special_feature_1_missing', { preciseGeo: false })],
  ['TCF: basic ads by legitimate interest, profiling by consent', gdpr(TC.basicByLi), behavioural('tcf_granted')],
  ['TCF: only legitimate interest for basic ads', gdpr(TC.liOnly), contextual('tcf_purpose_1_missing', false)],
  ['TCF: nothing granted', gdpr(TC.nothing), noBid('tcf_purpose_2_missing')],
  ['TCF: granted to another vendor only', gdpr(TC.otherVendor), noBid('tcf_vendor_missing')],
  ['TCF: no Purpose 1', gdpr(TC.noP1), contextual('tcf_purpose_1_missing', true)],
  ['TCF: no Purpose 3', gdpr(TC.noP3), contextual('tcf_purpose_3_missing', true)],
  ['TCF: no Purpose 4, no SF1', gdpr(TC.noP4), contextual('tcf_purpose_4_missing', false)],
  ['TCF: vendor LI without Purpose 2 LI is no basis', gdpr(TC.vendorLiOnly), noBid('tcf_vendor_missing')],
  ['TCF: vendor LI is enough to bid, not to profile', gdpr(TC.vendorLiAndP2Li), contextual('tcf_vendor_consent_missing', true)],
  ['TCF: publisher forbids Purpose 3 for us', gdpr(TC.p3Restricted), contextual('tcf_purpose_3_missing', true)],
  ['TCF: a restriction on another vendor is not ours', gdpr(TC.otherVendorRestricted), behavioural('tcf_granted')],
  ['TCF: publisher requires consent for Purpose 2, only LI given', gdpr(TC.p2LiButConsentRequired), noBid('tcf_purpose_2_missing')],
  ['TCF: no vendor id configured', gdpr(TC.all), noBid('tcf_vendor_missing'), { tcfVendorId: null }],

  // GDPR without a usable TC string: fail closed (policy decides no bid or contextual).
  ['GDPR, no TC string', gdpr(undefined), noBid('gdpr_consent_missing')],
  ['GDPR, empty TC string', gdpr(''), noBid('gdpr_consent_missing')],
  ['GDPR, no TC string, policy contextual', gdpr(undefined), contextual('gdpr_consent_missing', false), { gdprWithoutConsent: 'contextual' }],
  ['GDPR, garbage TC string', gdpr('garbage'), noBid('gdpr_consent_malformed')],
  ['GDPR, base64 noise', gdpr('AAAA'), noBid('gdpr_consent_malformed')],
  ['GDPR, not base64url', gdpr('!!'), noBid('gdpr_consent_malformed')],
  ['GDPR, a TCF v1 string', gdpr('BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA'), noBid('gdpr_consent_malformed')],
  ['GDPR, truncated TC string', gdpr(ALL.slice(0, 10)), noBid('gdpr_consent_malformed')],
  ['GDPR, a bad segment appended', gdpr(`${ALL}.!!`), noBid('gdpr_consent_malformed')],
  ['GDPR, absurdly long TC string', gdpr('C'.repeat(20_000)), noBid('gdpr_consent_malformed')],
  ['GDPR, malformed, policy contextual', gdpr('garbage'), contextual('gdpr_consent_malformed', false), { gdprWithoutConsent: 'contextual' }],

  // COPPA.
  ['COPPA', { coppa: true }, contextual('coppa', false)],
  ['COPPA beats a full TCF grant', gdpr(TC.all, { coppa: true }), contextual('coppa', false)],
  ['GDPR without consent is stricter than COPPA', gdpr(undefined, { coppa: true }), noBid('gdpr_consent_missing')],

  // US Privacy.
  ['USP opted out of sale', { usPrivacy: '1YYN' }, contextual('us_privacy_opt_out', true)],
  ['USP opted out, lower case', { usPrivacy: '1-y-' }, contextual('us_privacy_opt_out', true)],
  ['USP not opted out', { usPrivacy: '1NNN' }, behavioural()],
  ['USP not applicable', { usPrivacy: '1---' }, behavioural()],
  ['USP empty string = absent', { usPrivacy: '' }, behavioural()],
  ['USP malformed', { usPrivacy: 'garbage' }, contextual('us_privacy_malformed', true)],
  ['USP unknown version', { usPrivacy: '2NNN' }, contextual('us_privacy_malformed', true)],

  // GPP US sections.
  ['GPP usnat, notices given, no opt-out', { gpp: GPP.usnatNoOptOut, gppSid: [7] }, behavioural()],
  ['GPP usnat, everything not applicable', { gpp: GPP.usnatAllZero, gppSid: [7] }, behavioural()],
  ['GPP usnat, sale opt-out', { gpp: GPP.usnatSale, gppSid: [7] }, contextual('gpp_us_opt_out', true)],
  ['GPP usnat, sharing opt-out', { gpp: GPP.usnatSharing, gppSid: [7] }, contextual('gpp_us_opt_out', true)],
  ['GPP usnat, targeted advertising opt-out', { gpp: GPP.usnatTargeted, gppSid: [7] }, contextual('gpp_us_opt_out', true)],
  ['GPP usnat, Global Privacy Control', { gpp: GPP.usnatGpc, gppSid: [7] }, contextual('gpp_us_opt_out', true)],
  ['GPP usnat, sale notice not given', { gpp: GPP.usnatNoNotice, gppSid: [7] }, contextual('gpp_us_opt_out', true)],
  ['GPP usnat, "did not opt out" without a notice', { gpp: GPP.usnatNotApplicableNotice, gppSid: [7] }, contextual('gpp_us_opt_out', true)],
  ['GPP usnat, MSPA service-provider mode', { gpp: GPP.usnatServiceProvider, gppSid: [7] }, contextual('gpp_us_opt_out', true)],
  ['GPP usnat, known child', { gpp: GPP.usnatChild, gppSid: [7] }, contextual('gpp_us_child', false)],
  ['GPP usnat, precise geolocation opted out', { gpp: GPP.usnatSensitive, gppSid: [7] }, behavioural('gpp_us_sensitive_data', { preciseGeo: false })],
  ['GPP usca, sharing opt-out', { gpp: GPP.uscaSharing, gppSid: [8] }, contextual('gpp_us_opt_out', true)],
  ['GPP usca, no opt-out', { gpp: GPP.uscaNoOptOut, gppSid: [8] }, behavioural()],
  ['GPP usva, sale opt-out', { gpp: GPP.usvaSale, gppSid: [9] }, contextual('gpp_us_opt_out', true)],
  ['GPP usco, targeted opt-out', { gpp: GPP.uscoTargeted, gppSid: [10] }, contextual('gpp_us_opt_out', true)],
  ['GPP usut, sale opt-out', { gpp: GPP.usutSale, gppSid: [11] }, contextual('gpp_us_opt_out', true)],
  ['GPP usct, targeted opt-out', { gpp: GPP.usctTargeted, gppSid: [12] }, contextual('gpp_us_opt_out', true)],
  ['GPP without gpp_sid: every section in the string is in force', { gpp: GPP.usnatSale }, contextual('gpp_us_opt_out', true)],
  ['GPP sid -1: no section in force', { gpp: GPP.usnatSale, gppSid: [-1] }, behavioural()],
  ['GPP sid names a section the string lacks', { gpp: GPP.uscaSharing, gppSid: [7] }, contextual('gpp_undecodable', false)],
  ['GPP sid names a US section, no GPP string', { gppSid: [7] }, contextual('gpp_undecodable', false)],
  ['GPP sid names a US section, garbage string', { gpp: 'garbage', gppSid: [7] }, contextual('gpp_undecodable', false)],
  ['GPP garbage without gpp_sid', { gpp: 'garbage' }, contextual('gpp_undecodable', false)],
  ['GPP header promises a section that is not there', { gpp: 'DBABLA', gppSid: [7] }, contextual('gpp_undecodable', false)],
  ['GPP US section with a broken body', { gpp: 'DBABLA~xx', gppSid: [7] }, contextual('gpp_undecodable', false)],
  ['GPP sid of a US section this library does not know', { gpp: GPP.usnatNoOptOut, gppSid: [7, 99] }, contextual('gpp_undecodable', false)],
  ['GPP sid of non-US sections (TCF Canada, header) only', { gpp: GPP.usnatSale, gppSid: [3, 5] }, behavioural()],
  ['GPP garbage, sid names only TCF EU: GDPR without a TC string', { gpp: 'garbage', gppSid: [2] }, noBid('gdpr_consent_missing')],

  // GPP carrying TCF (section 2) and US Privacy (section 6).
  ['GPP TCF section grants everything (sid 2 makes GDPR apply)', { gpp: GPP.tcfAll, gppSid: [2] }, behavioural('tcf_granted')],
  ['GPP TCF section grants nothing', { gpp: GPP.tcfNothing, gppSid: [2] }, noBid('tcf_purpose_2_missing')],
  ['user.consent wins over the GPP TCF section', { gpp: GPP.tcfNothing, gppSid: [2], tcString: ALL }, behavioural('tcf_granted')],
  ['regs.gdpr=0 wins over sid 2', { gpp: GPP.tcfNothing, gppSid: [2], gdprApplies: false }, behavioural()],
  ['GPP USP section opted out', { gpp: GPP.uspOptOut, gppSid: [6] }, contextual('us_privacy_opt_out', true)],
  ['regs.us_privacy wins over the GPP USP section', { gpp: GPP.uspOptOut, gppSid: [6], usPrivacy: '1NNN' }, behavioural()],
  ['GPP sid 6 but no USP section', { gpp: GPP.usnatNoOptOut, gppSid: [6] }, contextual('gpp_undecodable', false)],
  ['GPP USP and usnat both fine', { gpp: GPP.uspAndUsnat, gppSid: [6, 7] }, behavioural()],

  // Device signals: no device ids, behavioural only through the first-party id.
  ['LMT', { lmt: true }, behavioural('lmt', { deviceIds: false })],
  ['DNT treated like LMT', { dnt: true }, behavioural('dnt', { deviceIds: false })],
  ['ATT not determined', { atts: 0 }, behavioural('att_not_authorized', { deviceIds: false })],
  ['ATT restricted', { atts: 1 }, behavioural('att_not_authorized', { deviceIds: false })],
  ['ATT denied', { atts: 2 }, behavioural('att_not_authorized', { deviceIds: false })],
  ['ATT authorized', { atts: 3 }, behavioural()],
  ['LMT with a full TCF grant', gdpr(TC.all, { lmt: true }), behavioural('lmt', { deviceIds: false })],
  ['ATT denied with SF1 missing: the earlier rule names the reason', gdpr(TC.noSf1, { atts: 2 }), behavioural('tcf_special_feature_1_missing', { preciseGeo: false, deviceIds: false })],
  ['LMT under a USP opt-out', { lmt: true, usPrivacy: '1YYN' }, contextual('us_privacy_opt_out', true)],

  // Precedence between contextual rules.
  ['COPPA before USP', { coppa: true, usPrivacy: '1YYN' }, contextual('coppa', false)],
  ['GPP US section before USP', { gpp: GPP.usnatSale, gppSid: [7], usPrivacy: '1YYN' }, contextual('gpp_us_opt_out', true)],
  ['TCF contextual and a USP opt-out', gdpr(TC.noP1, { usPrivacy: '1YYN' }), contextual('tcf_purpose_1_missing', true)],
];

describe('consentGate golden table', () => {
  it.each(GOLDEN)('%s', (_name, signals, expected, policy = {}) => {
    const d = consentGate(signals, { ...POLICY, ...policy });
    expect({ mode: d.mode, reason: d.reason, preciseGeo: d.preciseGeo, deviceIds: d.deviceIds }).toEqual(expected);
    expect(d.writeProfile).toBe(d.mode === 'behavioural');
  });

  it('covers every reason code', () => {
    const seen = new Set(GOLDEN.map(([, signals, , policy = {}]) => consentGate(signals, { ...POLICY, ...policy }).reason));
    expect(CONSENT_REASONS.filter((r) => !seen.has(r))).toEqual([]);
  });

  it('lists what it checked without ever echoing a consent string', () => {
    const d = consentGate({ ...gdpr(TC.noSf1), usPrivacy: '1NNN', gpp: GPP.usnatNoOptOut, gppSid: [7], lmt: true, atts: 2 }, POLICY);
    expect(d.checks).toEqual([
      'gdpr=1',
      'tcf=v2',
      'tcf.p2=consent',
      'tcf.vendor=consent',
      'tcf.p1,p3,p4=yyy',
      'tcf.sf1=n',
      'gpp.sid7=no-opt-out',
      'usp=no-opt-out',
      'lmt=1',
      'atts=2',
    ]);
    for (const [, signals, , policy = {}] of GOLDEN) {
      const raw = [signals.tcString, signals.gpp, signals.usPrivacy].filter((s): s is string => s !== undefined && s.length >= 4);
      const checks = consentGate(signals, { ...POLICY, ...policy }).checks.join(' ');
      for (const s of raw) expect(checks).not.toContain(s);
    }
  });
});

describe('consentGate decoders', () => {
  it('decodes each string once per call, through the decoders it is given', () => {
    const calls: string[] = [];
    const decision = consentGate({ gdprApplies: true, tcString: ALL, gpp: GPP.usnatNoOptOut, gppSid: [7] }, POLICY, {
      tcf: () => {
        calls.push('tcf');
        return { purposeConsent: { 1: true, 2: true, 3: true, 4: true }, purpose2LegitimateInterest: false, vendorConsent: true, vendorLegitimateInterest: false, specialFeature1: true };
      },
      gpp: () => {
        calls.push('gpp');
        return { sectionIds: [7], tcString: null, usPrivacy: null, us: new Map([[7, { optOut: 'sale' as const, knownChild: false, sensitiveData: false }]]) };
      },
    });
    expect(calls.sort()).toEqual(['gpp', 'tcf']);
    expect(decision.reason).toBe('gpp_us_opt_out');
  });
});

describe('consentGate never throws and fails closed', () => {
  const policyArb = fc.record({ tcfVendorId: fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: null }), gdprWithoutConsent: fc.constantFrom('no_bid' as const, 'contextual' as const) });
  const base64ish = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~'.split('')), maxLength: 120 });
  /** Valid strings with one character replaced, truncated or extended: the inputs most likely to half-decode. */
  const mutated = (valid: string): fc.Arbitrary<string> =>
    fc.oneof(
      fc.tuple(fc.nat({ max: valid.length - 1 }), base64ish).map(([i, s]) => valid.slice(0, i) + s.slice(0, 1) + valid.slice(i + 1)),
      fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
      base64ish.map((s) => valid + s),
    );
  const anyString = fc.oneof(fc.string({ maxLength: 60 }), base64ish, mutated(ALL), mutated(GPP.usnatSale), mutated(GPP.tcfAll), mutated(GPP.uspAndUsnat));
  const signalsArb: fc.Arbitrary<ConsentSignals> = fc.record(
    {
      gdprApplies: fc.boolean(),
      tcString: anyString,
      usPrivacy: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('1YYN', '1NNN', '1---')),
      gpp: anyString,
      gppSid: fc.array(fc.integer({ min: -2, max: 30 }), { maxLength: 4 }),
      coppa: fc.boolean(),
      lmt: fc.boolean(),
      dnt: fc.boolean(),
      atts: fc.integer({ min: -1, max: 5 }),
    },
    { requiredKeys: [] },
  );

  it('holds its invariants for arbitrary and mutated signals', () => {
    fc.assert(
      fc.property(signalsArb, policyArb, (signals, policy) => {
        const d = consentGate(signals, policy);
        expect(CONSENT_REASONS).toContain(d.reason);
        expect(d.writeProfile).toBe(d.mode === 'behavioural');
        if (d.deviceIds) expect(d.mode).toBe('behavioural');
        if (d.mode === 'no_bid') expect(d.preciseGeo).toBe(false);
        if (signals.coppa) expect(d.mode === 'behavioural' || d.preciseGeo || d.deviceIds).toBe(false);
        if (signals.lmt || signals.dnt || (signals.atts !== undefined && signals.atts >= 0 && signals.atts <= 2)) expect(d.deviceIds).toBe(false);
        if (signals.usPrivacy !== undefined && /^1.[yY].$/.test(signals.usPrivacy)) expect(d.mode).not.toBe('behavioural');
        // Where GDPR applies, behavioural use needs a TC string that decodes and grants it.
        if (d.mode === 'behavioural' && signals.gdprApplies) expect(d.reason).not.toMatch(/^gdpr_/);
      }),
      { numRuns: 3_000 },
    );
  });
});
