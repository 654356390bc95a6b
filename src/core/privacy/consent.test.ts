import { describe, expect, it } from 'vitest';
import { consentGate } from './consent';

describe('consentGate (interim: fails closed on any signal it cannot decode yet)', () => {
  it.each([
    [{}, 'behavioural', 'no_restriction'],
    [{ gdprApplies: false, usPrivacy: '1YNN' }, 'behavioural', 'no_restriction'],
    [{ coppa: true }, 'contextual', 'coppa'],
    [{ gdprApplies: true, tcString: 'CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA' }, 'contextual', 'gdpr_consent_unverified'],
    [{ usPrivacy: '1YYN' }, 'contextual', 'us_privacy_opt_out'],
    [{ usPrivacy: '1-y-' }, 'contextual', 'us_privacy_opt_out'],
    [{ usPrivacy: '1---' }, 'behavioural', 'no_restriction'],
    [{ gppSid: [2, 7] }, 'contextual', 'gpp_unverified'],
    [{ gppSid: [2] }, 'contextual', 'gpp_unverified'],
    [{ gppSid: [6] }, 'contextual', 'gpp_unverified'],
    [{ gppSid: [13] }, 'contextual', 'gpp_unverified'],
    [{ gpp: 'DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA' }, 'contextual', 'gpp_unverified'],
    [{ gppSid: [-1], gpp: '' }, 'behavioural', 'no_restriction'],
  ] as const)('%j → %s (%s)', (signals, mode, reason) => {
    expect(consentGate(signals)).toEqual({ mode, reason });
  });
});
