/**
 * Resolves who a decision is for: the consent gate first, then (only if behavioural use is
 * allowed and there is a stable id) the hashed key and the profile read under the budget.
 */
import type { UserKey } from '../core/identity/user-key';
import { consentGate, type ConsentDecision, type ConsentSignals } from '../core/privacy/consent';
import { platformSources, readProfile, type ProfileRead } from '../store/profile-reader';
import { secret } from './config';
import { hashUserKey } from './crypto';

export interface ResolvedAudience {
  readonly consent: ConsentDecision;
  readonly profile: ProfileRead;
}

export async function resolveAudience(
  env: Env,
  audience: { userKey: UserKey | null; consent: ConsentSignals },
  /** Absolute time (epoch ms) by which the profile read must be over. */
  deadlineMs: number,
): Promise<ResolvedAudience> {
  const consent = consentGate(audience.consent);
  if (consent.mode !== 'behavioural' || audience.userKey === null) {
    return { consent, profile: { snapshot: null, source: 'none' } };
  }
  const userHash = await hashUserKey(secret(env, 'USER_KEY_SECRET'), audience.userKey);
  return { consent, profile: await readProfile(platformSources(env), userHash, deadlineMs) };
}
