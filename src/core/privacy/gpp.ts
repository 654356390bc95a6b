/**
 * IAB Global Privacy Platform strings, decoded by the IAB's own library: the sections a string
 * carries, the TCF EU (2) and US Privacy (6) sections as sent, and per US section (national 7,
 * states 8 and up) the facts our processing depends on. The rule over a US section follows
 * Prebid Server's US-national privacy module in spirit, more strictly where noted.
 *
 * GPP field values: 0 = not applicable; opt-outs 1 = opted out, 2 = did not opt out; notices
 * 1 = given, 2 = not given; sensitive-data entries 1 = opted out / no consent, 2 = did not opt
 * out / consent.
 */
import { GppModel, HeaderV1, Sections } from '@iabgpp/cmpapi';
import { z } from 'zod';
import { gppHeaderIsBounded } from './decode-cost';
import type { RuleOutcome } from './decision';
import { MAX_CONSENT_STRING_CHARS } from './tcf';

export const GPP_SID_TCF_EU = 2;
export const GPP_SID_US_PRIVACY = 6;
export const GPP_FIRST_US_SID = 7;

export type UsOptOut = 'sale' | 'sharing' | 'targeted_ads' | 'gpc' | 'no_notice' | 'service_provider';

export interface UsSectionFacts {
  /** Why the user's data may not be sold, shared or used for targeted ads; null when it may. */
  readonly optOut: UsOptOut | null;
  /** The section flags a known child (any known-child consent field set). */
  readonly knownChild: boolean;
  /** Some sensitive-data processing is opted out of or lacks notice (precise geolocation is sensitive data). */
  readonly sensitiveData: boolean;
}

export interface GppFacts {
  /** Section ids in the string's header, in order. */
  readonly sectionIds: readonly number[];
  /** The TCF EU v2 section as sent (it is a TC string), or null. */
  readonly tcString: string | null;
  /** The US Privacy section as sent (it is a US Privacy string), or null. */
  readonly usPrivacy: string | null;
  /** Every US section in the string: its facts, or null when it cannot be decoded. */
  readonly us: ReadonlyMap<number, UsSectionFacts | null>;
}

const field = z.number().int().optional();
/** The library's section objects are untyped: this is the part of them we trust. */
const usSectionSchema = z.object({
  ProcessingNotice: field,
  SaleOptOut: field,
  SaleOptOutNotice: field,
  SharingNotice: field,
  SharingOptOut: field,
  SharingOptOutNotice: field,
  TargetedAdvertisingOptOut: field,
  TargetedAdvertisingOptOutNotice: field,
  SensitiveDataProcessingOptOutNotice: field,
  SensitiveDataLimitUseNotice: field,
  SensitiveDataProcessing: z.array(z.number().int()).optional(),
  KnownChildSensitiveDataConsents: z.union([z.number().int(), z.array(z.number().int())]).optional(),
  MspaServiceProviderMode: field,
  Gpc: z.boolean().optional(),
});
type UsSection = z.infer<typeof usSectionSchema>;

const sectionIdsSchema = z.array(z.number().int());

/**
 * Null when the header cannot be read (or would cost too much to, decode-cost.ts), or lists a
 * different number of sections than the string has. Each US section is decoded on its own, so
 * the library never sees the TCF sections (which have their own cost guard in tcf.ts). The
 * library throws on garbage; nothing escapes.
 */
export function readGpp(gpp: string): GppFacts | null {
  if (gpp.length > MAX_CONSENT_STRING_CHARS) return null;
  const parts = gpp.split('~');
  const header = parts[0] ?? '';
  if (!gppHeaderIsBounded(header)) return null;
  let sectionIds: number[];
  try {
    const ids = sectionIdsSchema.safeParse(new HeaderV1(header).getFieldValue('SectionIds'));
    if (!ids.success) return null;
    sectionIds = ids.data;
  } catch {
    return null;
  }
  if (sectionIds.length !== parts.length - 1) return null;
  let tcString: string | null = null;
  let usPrivacy: string | null = null;
  const us = new Map<number, UsSectionFacts | null>();
  for (const [i, sid] of sectionIds.entries()) {
    const raw = parts[i + 1] ?? '';
    if (sid === GPP_SID_TCF_EU) tcString = raw;
    else if (sid === GPP_SID_US_PRIVACY) usPrivacy = raw;
    else if (sid >= GPP_FIRST_US_SID) us.set(sid, usSectionFacts(sid, raw));
  }
  return { sectionIds, tcString, usPrivacy, us };
}

function usSectionFacts(sid: number, raw: string): UsSectionFacts | null {
  const name = Sections.SECTION_ID_NAME_MAP.get(sid);
  // An empty section would decode to its defaults (all "not applicable"): that is no signal.
  if (name === undefined || raw.trim() === '') return null;
  try {
    const model = new GppModel();
    model.decodeSection(name, raw);
    const parsed = usSectionSchema.safeParse(model.getSection(name));
    return parsed.success ? factsOf(parsed.data) : null;
  } catch {
    return null;
  }
}

function factsOf(s: UsSection): UsSectionFacts {
  const child = s.KnownChildSensitiveDataConsents;
  return {
    optOut: optOutOf(s),
    knownChild: Array.isArray(child) ? child.some((v) => v !== 0) : child !== undefined && child !== 0,
    sensitiveData:
      s.SensitiveDataProcessingOptOutNotice === 2 || s.SensitiveDataLimitUseNotice === 2 || (s.SensitiveDataProcessing ?? []).includes(1),
  };
}

function optOutOf(s: UsSection): UsOptOut | null {
  // As a service provider under the MSPA we may not sell, share or target with the data at all.
  if (s.MspaServiceProviderMode === 1) return 'service_provider';
  if (s.Gpc === true) return 'gpc';
  if (s.SaleOptOut === 1) return 'sale';
  if (s.SharingOptOut === 1) return 'sharing';
  if (s.TargetedAdvertisingOptOut === 1) return 'targeted_ads';
  // "Did not opt out" means nothing unless the user was told they could: no notice, or a notice
  // marked not applicable next to a choice, is no basis for selling, sharing or targeting.
  const noNotice =
    s.ProcessingNotice === 2 ||
    s.SaleOptOutNotice === 2 ||
    s.SharingNotice === 2 ||
    s.SharingOptOutNotice === 2 ||
    s.TargetedAdvertisingOptOutNotice === 2 ||
    (s.SaleOptOutNotice === 0 && s.SaleOptOut === 2) ||
    (s.SharingOptOutNotice === 0 && s.SharingOptOut === 2) ||
    (s.TargetedAdvertisingOptOutNotice === 0 && s.TargetedAdvertisingOptOut === 2);
  return noNotice ? 'no_notice' : null;
}

/** The rule for one US section in force; `facts` undefined = named by `gpp_sid` but not in the string. */
export function gppUsOutcome(sid: number, facts: UsSectionFacts | null | undefined): RuleOutcome {
  const label = `gpp.sid${sid}`;
  if (!facts) {
    // It may carry an opt-out we cannot see: fail closed, precise geo included.
    return { mode: 'contextual', reason: 'gpp_undecodable', preciseGeo: false, deviceIds: false, checks: [`${label}=${facts === null ? 'undecodable' : 'absent'}`] };
  }
  if (facts.knownChild) {
    return { mode: 'contextual', reason: 'gpp_us_child', preciseGeo: false, deviceIds: false, checks: [`${label}=known-child`] };
  }
  const preciseGeo = !facts.sensitiveData;
  const geoCheck = preciseGeo ? [] : [`${label}.sensitive-data=restricted`];
  if (facts.optOut !== null) {
    return { mode: 'contextual', reason: 'gpp_us_opt_out', preciseGeo, deviceIds: false, checks: [`${label}=opt-out:${facts.optOut}`, ...geoCheck] };
  }
  return {
    mode: 'behavioural',
    reason: preciseGeo ? null : 'gpp_us_sensitive_data',
    preciseGeo,
    deviceIds: true,
    checks: [`${label}=no-opt-out`, ...geoCheck],
  };
}
