import { Sections } from '@iabgpp/cmpapi';
import { describe, expect, it } from 'vitest';
import { gppString, grantingTcString } from './consent-strings.testing';
import { GPP_FIRST_US_SID, readGpp } from './gpp';

const US_SECTIONS = [...Sections.SECTION_ID_NAME_MAP].filter(([sid]) => sid >= GPP_FIRST_US_SID);

describe('readGpp', () => {
  it('knows the US national section and the state sections 8-12 (and every later one the library has)', () => {
    expect(US_SECTIONS.map(([sid]) => sid)).toEqual(expect.arrayContaining([7, 8, 9, 10, 11, 12]));
  });

  it.each(US_SECTIONS)('reads a sale opt-out from section %i (%s)', (sid, name) => {
    const facts = readGpp(gppString({ [name]: { SaleOptOut: 1 } }));
    expect(facts?.sectionIds).toEqual([sid]);
    expect(facts?.us.get(sid)).toEqual({ optOut: 'sale', knownChild: false, sensitiveData: false });
    expect(readGpp(gppString({ [name]: { SaleOptOut: 0 } }))?.us.get(sid)).toEqual({ optOut: null, knownChild: false, sensitiveData: false });
  });

  it('returns the TCF and US Privacy sections as sent', () => {
    const tc = grantingTcString();
    const facts = readGpp(gppString({ tcfeuv2: tc, uspv1: '1YNN', usnat: { SharingOptOut: 1 } }));
    expect(facts).toMatchObject({ sectionIds: [2, 6, 7], tcString: tc, usPrivacy: '1YNN' });
    expect(facts?.us.get(7)?.optOut).toBe('sharing');
  });

  it('reads a known child and sensitive-data restrictions', () => {
    expect(readGpp(gppString({ usca: { KnownChildSensitiveDataConsents: [0, 2] } }))?.us.get(8)?.knownChild).toBe(true);
    expect(readGpp(gppString({ usva: { KnownChildSensitiveDataConsents: 1 } }))?.us.get(9)?.knownChild).toBe(true);
    expect(readGpp(gppString({ usnat: { SensitiveDataLimitUseNotice: 2 } }))?.us.get(7)?.sensitiveData).toBe(true);
  });

  it.each([
    ['not GPP', 'garbage'],
    ['fewer sections than the header lists', 'DBABLA'],
    ['longer than any real string', `DBABLA~${'A'.repeat(20_000)}`],
  ])('is null for %s', (_what, s) => {
    expect(readGpp(s)).toBeNull();
  });

  it('marks a US section it cannot decode as null, keeping the header', () => {
    const facts = readGpp('DBABLA~xx');
    expect(facts?.sectionIds).toEqual([7]);
    expect(facts?.us.get(7)).toBeNull();
  });
});
