/**
 * Builds real consent strings for tests with the IAB libraries' own encoders, so tests never
 * carry opaque strings whose content nobody can read. Test-only: nothing in src imports it.
 *
 * The TCF encoder refuses to work without a Global Vendor List (it drops signals for vendors the
 * list does not declare), so a minimal in-memory list declares our test vendor and one other.
 */
import { GVL, PurposeRestriction, RestrictionType, TCModel, TCString, type Vendor } from '@iabtechlabtcf/core';
import { GppModel } from '@iabgpp/cmpapi';

/** The vendor id tests configure as ours (vitest.config.ts binds TCF_VENDOR_ID to it). */
export const TEST_VENDOR_ID = 777;
export const OTHER_VENDOR_ID = 91;

function named(ids: number[]): Record<string, { id: number; name: string; description: string }> {
  return Object.fromEntries(ids.map((id) => [String(id), { id, name: `item ${id}`, description: '' }]));
}

/** `p2` is Purpose 2's default legal basis (flexible, so publishers may restrict it to the other). */
function vendor(id: number, p2: 'consent' | 'li'): Vendor {
  // Consent for 1/3/4, Purpose 2, Special Feature 1: what a bidder declares.
  return {
    id,
    name: `vendor ${id}`,
    purposes: p2 === 'consent' ? [1, 2, 3, 4] : [1, 3, 4],
    legIntPurposes: p2 === 'li' ? [2] : [],
    flexiblePurposes: [2],
    specialPurposes: [],
    features: [],
    specialFeatures: [1],
    policyUrl: 'https://vendor.example/privacy',
    usesCookies: true,
    cookieMaxAgeSeconds: 2_592_000,
    cookieRefresh: false,
    usesNonCookieAccess: true,
  };
}

let gvl: GVL | undefined;
function testGvl(): GVL {
  gvl ??= new GVL({
    gvlSpecificationVersion: 3,
    vendorListVersion: 1,
    tcfPolicyVersion: 5,
    lastUpdated: '2026-01-01T00:00:00Z',
    purposes: named([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    specialPurposes: named([1, 2, 3]),
    features: named([1, 2, 3]),
    specialFeatures: named([1, 2]),
    stacks: {},
    vendors: { [TEST_VENDOR_ID]: vendor(TEST_VENDOR_ID, 'li'), [OTHER_VENDOR_ID]: vendor(OTHER_VENDOR_ID, 'consent') },
  });
  return gvl;
}

export interface TcOptions {
  readonly purposeConsents?: readonly number[];
  readonly purposeLegitimateInterests?: readonly number[];
  readonly vendorConsents?: readonly number[];
  readonly vendorLegitimateInterests?: readonly number[];
  readonly specialFeatureOptins?: readonly number[];
  readonly restrictions?: readonly { vendorId: number; purposeId: number; type: 'not_allowed' | 'require_consent' | 'require_li' }[];
}

const RESTRICTION: Record<'not_allowed' | 'require_consent' | 'require_li', RestrictionType> = {
  not_allowed: RestrictionType.NOT_ALLOWED,
  require_consent: RestrictionType.REQUIRE_CONSENT,
  require_li: RestrictionType.REQUIRE_LI,
};

export function tcString(o: TcOptions): string {
  const m = new TCModel(testGvl());
  m.cmpId = 10;
  m.cmpVersion = 1;
  m.purposeConsents.set([...(o.purposeConsents ?? [])]);
  m.purposeLegitimateInterests.set([...(o.purposeLegitimateInterests ?? [])]);
  m.vendorConsents.set([...(o.vendorConsents ?? [])]);
  m.vendorLegitimateInterests.set([...(o.vendorLegitimateInterests ?? [])]);
  m.specialFeatureOptins.set([...(o.specialFeatureOptins ?? [])]);
  for (const r of o.restrictions ?? []) m.publisherRestrictions.add(r.vendorId, new PurposeRestriction(r.purposeId, RESTRICTION[r.type]));
  return TCString.encode(m);
}

/** Everything a behavioural bidder needs, for our test vendor. */
export function grantingTcString(): string {
  return tcString({ purposeConsents: [1, 2, 3, 4], vendorConsents: [TEST_VENDOR_ID], specialFeatureOptins: [1] });
}

/** A GPP string from section name → field values (e.g. `{ usnat: { SaleOptOut: 1 } }`); `tcfeuv2` / `uspv1` take the string as sent. */
export function gppString(sections: Readonly<Record<string, Readonly<Record<string, unknown>> | string>>): string {
  const m = new GppModel();
  for (const [name, value] of Object.entries(sections)) {
    if (typeof value === 'string') m.decodeSection(name, value);
    else for (const [field, v] of Object.entries(value)) m.setFieldValue(name, field, v);
  }
  return m.encode();
}
