import { describe, expect, it } from 'vitest';
import { gppString, grantingTcString, OTHER_VENDOR_ID, tcString, TEST_VENDOR_ID } from './consent-strings.testing';
import { gppHeaderIsBounded, MAX_TCF_RANGE_IDS, tcfDecodeIsBounded } from './decode-cost';
import { readGpp } from './gpp';
import { readTcf } from './tcf';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const int = (v: number, n: number): string => v.toString(2).padStart(n, '0');
function base64url(bits: string): string {
  const padded = bits + '0'.repeat((6 - (bits.length % 6)) % 6);
  let out = '';
  for (let i = 0; i < padded.length; i += 6) out += ALPHABET.charAt(parseInt(padded.slice(i, i + 6), 2));
  return out;
}

/** A TCF v2 core segment with range-encoded vendor consents and publisher restrictions, each range 1–65535. */
function rangeBomb(consentRanges: number, restrictionRanges = 0): string {
  let b = int(2, 6) + int(1, 36) + int(1, 36) + int(10, 12) + int(1, 12) + int(0, 6) + int(0, 12) + int(1, 12) + int(4, 6) + '10';
  b += '0'.repeat(12) + '1'.repeat(24) + '0'.repeat(24) + '0' + int(0, 12);
  b += int(65_535, 16) + '1' + int(consentRanges, 12);
  for (let i = 0; i < consentRanges; i++) b += '1' + int(1, 16) + int(65_535, 16);
  b += int(0, 16) + '0'; // legitimate interests: empty bitfield
  b += int(restrictionRanges > 0 ? 1 : 0, 12);
  if (restrictionRanges > 0) {
    b += int(2, 6) + int(0, 2) + int(restrictionRanges, 12);
    for (let i = 0; i < restrictionRanges; i++) b += '1' + int(1, 16) + int(65_535, 16);
  }
  return base64url(b);
}

describe('tcfDecodeIsBounded', () => {
  it('passes real strings, restrictions and extra segments included', () => {
    expect(tcfDecodeIsBounded(grantingTcString())).toBe(true);
    const restricted = tcString({
      purposeConsents: [1, 2, 3, 4],
      vendorConsents: [TEST_VENDOR_ID, OTHER_VENDOR_ID],
      restrictions: [{ vendorId: OTHER_VENDOR_ID, purposeId: 3, type: 'not_allowed' }],
    });
    expect(restricted.split('.').length).toBeGreaterThan(1);
    expect(tcfDecodeIsBounded(restricted)).toBe(true);
  });

  it('refuses ranges that would make the library set hundreds of thousands of ids', () => {
    const bomb = rangeBomb(10);
    expect(bomb.length).toBeLessThan(120);
    expect(tcfDecodeIsBounded(bomb)).toBe(false);
    expect(readTcf(bomb, TEST_VENDOR_ID)).toBeNull();
    expect(tcfDecodeIsBounded(rangeBomb(0, 5))).toBe(false);
  });

  it('allows one full range below the bound (a legitimate "all vendors" encoding)', () => {
    expect(MAX_TCF_RANGE_IDS).toBeLessThan(65_535);
    expect(tcfDecodeIsBounded(rangeBomb(0))).toBe(true);
  });

  it('refuses strings that are not TCF v2 before the library sees them', () => {
    expect(tcfDecodeIsBounded('BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA')).toBe(false);
    expect(tcfDecodeIsBounded('not base64!')).toBe(false);
  });
});

describe('gppHeaderIsBounded', () => {
  it('passes real headers', () => {
    for (const s of [gppString({ usnat: { SaleOptOut: 1 } }), gppString({ tcfeuv2: grantingTcString(), uspv1: '1YNN', usca: { SaleOptOut: 2 } })]) {
      expect(gppHeaderIsBounded(s.split('~')[0] ?? '')).toBe(true);
    }
  });

  it('refuses a section-id range the library would expand until the process aborts', () => {
    // type 3, version 1, one entry: a range from 1 spanning fib(20)-ish ids.
    const header = base64url(int(3, 6) + int(1, 6) + int(1, 12) + '1' + '11' + '0'.repeat(19) + '11');
    expect(gppHeaderIsBounded(header)).toBe(false);
    expect(readGpp(`${header}~x`)).toBeNull();
  });

  it('refuses too many entries, non-GPP headers and garbage', () => {
    expect(gppHeaderIsBounded(base64url(int(3, 6) + int(1, 6) + int(65, 12) + '011'.repeat(65)))).toBe(false);
    expect(gppHeaderIsBounded('CQuIxQAQuIQAAKABAENABFoAPAAAAAAAAAAGEwAQGEgAAAA')).toBe(false);
    expect(gppHeaderIsBounded('')).toBe(false);
  });
});
