/**
 * Resolves who a decision is for: the consent gate first (once per request), then — only if
 * behavioural use is allowed and a permitted stable id exists — the hashed key and the profile
 * read under the budget. A `no_bid` or `contextual` decision never hashes a key or touches a
 * profile object.
 *
 * Decoded consent strings are cached per isolate: the same user's TC / GPP string arrives with
 * every one of their requests, and decoding costs tens of microseconds (GPP more than TCF).
 */
import type { UserKey } from '../core/identity/user-key';
import { userKeyFor } from '../core/openrtb/audience';
import { consentGate, DIRECT_DECODERS, type ConsentDecision, type ConsentDecoders, type ConsentSignals } from '../core/privacy/consent';
import type { GppFacts } from '../core/privacy/gpp';
import type { TcfFacts } from '../core/privacy/tcf';
import { waitUntil } from 'cloudflare:workers';
import { resolveCanonical } from '../store/alias-cache';
import { knownUsers } from '../store/known-users';
import { platformSources, readProfile, type ProfileRead } from '../store/profile-reader';
import { config, consentPolicy, secret } from './config';
import { hashUserKey } from './crypto';
import type { ServerTiming } from './server-timing';

export interface ResolvedAudience {
  readonly consent: ConsentDecision;
  readonly profile: ProfileRead;
  /** The keyed hash of the user key that was looked up; null unless the mode is behavioural and a key was usable. */
  readonly userHash: string | null;
}

/** Either one key (publisher decisions) or candidates in order of preference (OpenRTB). */
export type AudienceRequest = { readonly consent: ConsentSignals } & (
  | { readonly userKey: UserKey | null }
  | { readonly userKeys: readonly UserKey[] }
);

export async function resolveAudience(
  env: Env,
  audience: AudienceRequest,
  /** Absolute time (epoch ms) by which the profile read must be over. */
  deadlineMs: number,
  /** Debug mode only: records the consent and profile spans (src/http/server-timing.ts). */
  timing: ServerTiming | null = null,
): Promise<ResolvedAudience> {
  const consentFromMs = timing?.now() ?? 0;
  const consent = decideConsent(env, audience.consent);
  timing?.span('consent', consentFromMs);
  const candidates = 'userKeys' in audience ? audience.userKeys : audience.userKey ? [audience.userKey] : [];
  const key = userKeyFor(candidates, consent);
  if (key === null) return { consent, profile: { snapshot: null, source: 'none' }, userHash: null };
  const profileFromMs = timing?.now() ?? 0;
  const keyHash = await hashUserKey(secret(env, 'USER_KEY_SECRET'), key);
  if (isCertainlyUnknown(env, keyHash)) {
    // Never had a profile: nothing to read, and no alias (linked ids are in the filter too).
    timing?.span('profile', profileFromMs);
    return { consent, profile: UNKNOWN, userHash: keyHash };
  }
  // Linked ids (identify events) belong to one canonical profile. The alias lookup (isolate
  // cache, else one KV read under the deadline) runs beside the object read, which forwards
  // merged-away ids itself; only the KV fallback and the returned hash (holdout group, A/B arm,
  // frequency-cap impressions) wait for it, so a person is one user across devices.
  const canonical = resolveCanonical(env.PROFILE_SNAPSHOTS, keyHash, deadlineMs);
  const sources = platformSources(env);
  const profile = await readProfile({ fromObject: (h) => sources.fromObject(h), fromKv: async () => sources.fromKv(await canonical) }, keyHash, deadlineMs);
  // An opted-out person is contextual everywhere: their hash goes no further (no holdout, no
  // tracking-link user, no ledger exposure).
  const userHash = profile.snapshot?.optedOut === true ? null : await canonical;
  timing?.span('profile', profileFromMs);
  return { consent, profile, userHash };
}

const UNKNOWN: ProfileRead = { snapshot: null, source: 'unknown' };

/**
 * True only when the isolate's known-users filter is loaded, recent and says the hash was never
 * listed; any doubt (switched off, cold, stale, "maybe") means read the profile. The filter's
 * refresh runs after the response (`waitUntil`), never in this request's time.
 */
function isCertainlyUnknown(env: Env, userHash: string): boolean {
  const cfg = config(env);
  if (!cfg.knownUsersFilter) return false;
  return knownUsers.check(env.PROFILE_SNAPSHOTS, userHash, { nowMs: Date.now(), refreshMs: cfg.knownUsersRefreshMs, waitUntil }) === 'absent';
}

/** The consent gate with this deployment's policy and the isolate's decode caches. */
export function decideConsent(env: Env, signals: ConsentSignals): ConsentDecision {
  return consentGate(signals, consentPolicy(env), CACHED_DECODERS);
}

/**
 * A small LRU: a Map iterates in insertion order, so re-inserting on a hit keeps the oldest
 * entry first. Bounded in entries and in key length, so a flood of distinct or huge strings
 * cannot grow the isolate's memory.
 */
class DecodeCache<V> {
  /** Boxed, so a cached null (an undecodable string) is told apart from a miss. */
  private readonly entries = new Map<string, { readonly value: V }>();
  constructor(
    private readonly maxEntries: number,
    private readonly maxKeyChars: number,
  ) {}

  get(key: string, decode: () => V): V {
    if (key.length > this.maxKeyChars) return decode();
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = decode();
    this.entries.set(key, { value });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return value;
  }
}

/** Real TC and GPP strings are well under 4 KB; 1,024 entries of that are a few MB at most. */
const tcfCache = new DecodeCache<TcfFacts | null>(1_024, 4_096);
const gppCache = new DecodeCache<GppFacts | null>(1_024, 4_096);

const CACHED_DECODERS: ConsentDecoders = {
  // Facts depend on the vendor id (restrictions, vendor consent), so it is part of the key.
  tcf: (tcString, vendorId) => tcfCache.get(`${vendorId ?? '-'}|${tcString}`, () => DIRECT_DECODERS.tcf(tcString, vendorId)),
  gpp: (gpp) => gppCache.get(gpp, () => DIRECT_DECODERS.gpp(gpp)),
};
