import { describe, expect, it } from 'vitest';
import { grantingTcString, OTHER_VENDOR_ID, tcString, TEST_VENDOR_ID } from './consent-strings.testing';
import { readTcf } from './tcf';

const V = TEST_VENDOR_ID;

describe('readTcf', () => {
  it('reduces a TC string to the facts for our vendor', () => {
    expect(readTcf(grantingTcString(), V)).toEqual({
      purposeConsent: { 1: true, 2: true, 3: true, 4: true },
      purpose2LegitimateInterest: false,
      vendorConsent: true,
      vendorLegitimateInterest: false,
      specialFeature1: true,
    });
    expect(readTcf(grantingTcString(), OTHER_VENDOR_ID)).toMatchObject({ vendorConsent: false, vendorLegitimateInterest: false });
    expect(readTcf(grantingTcString(), null)).toMatchObject({ vendorConsent: false, vendorLegitimateInterest: false });
  });

  it('applies the publisher restrictions for our vendor only', () => {
    const tc = tcString({
      purposeConsents: [1, 2, 3, 4],
      purposeLegitimateInterests: [2],
      vendorConsents: [V, OTHER_VENDOR_ID],
      vendorLegitimateInterests: [V],
      restrictions: [
        { vendorId: V, purposeId: 1, type: 'not_allowed' },
        { vendorId: V, purposeId: 2, type: 'require_consent' },
        { vendorId: OTHER_VENDOR_ID, purposeId: 4, type: 'not_allowed' },
      ],
    });
    expect(readTcf(tc, V)).toMatchObject({ purposeConsent: { 1: false, 2: true, 3: true, 4: true }, purpose2LegitimateInterest: false });
    expect(readTcf(tc, OTHER_VENDOR_ID)).toMatchObject({ purposeConsent: { 1: true, 2: true, 3: true, 4: false }, purpose2LegitimateInterest: true });
  });

  it('refuses to read consent into a purpose the publisher moved to legitimate interest', () => {
    const tc = tcString({ purposeConsents: [1, 2, 3, 4], vendorConsents: [OTHER_VENDOR_ID], restrictions: [{ vendorId: OTHER_VENDOR_ID, purposeId: 2, type: 'require_li' }] });
    expect(readTcf(tc, OTHER_VENDOR_ID)).toMatchObject({ purposeConsent: { 1: true, 2: false, 3: true, 4: true }, purpose2LegitimateInterest: false });
  });

  it.each([
    ['garbage', 'garbage'],
    ['empty', ''],
    ['TCF v1', 'BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA'],
    ['truncated', grantingTcString().slice(0, 12)],
    ['over-long', 'C'.repeat(20_000)],
  ])('is null for %s', (_what, s) => {
    expect(readTcf(s, V)).toBeNull();
  });
});
