import { describe, expect, it } from 'vitest';
import { eventConsentSignals, mayProfile } from './event-consent';

describe('event consent', () => {
  it('lets the event override the batch field by field and maps the 0/1 flags', () => {
    expect(eventConsentSignals({ gdpr: 1, tcString: 'a', coppa: 0 }, { tcString: 'b', gppSid: [7] })).toEqual({ gdprApplies: true, tcString: 'b', gppSid: [7], coppa: false });
    expect(eventConsentSignals(undefined, undefined)).toEqual({});
  });

  it('profiles only under behavioural consent, and device-id events only where device ids are allowed', () => {
    expect(mayProfile({ writeProfile: true, deviceIds: true }, 'ifa')).toBe(true);
    expect(mayProfile({ writeProfile: true, deviceIds: false }, 'uid')).toBe(true);
    expect(mayProfile({ writeProfile: true, deviceIds: false }, 'ifa')).toBe(false);
    expect(mayProfile({ writeProfile: false, deviceIds: false }, 'uid')).toBe(false);
  });
});
