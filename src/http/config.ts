/**
 * Typed view of the Worker's vars with defaults, so a missing or mistyped var degrades to a
 * sane value instead of NaN arithmetic on the hot path.
 */
import { AppError } from '../core/errors';
import type { ConsentPolicy } from '../core/privacy/consent';
import { log } from '../log';

export interface Config {
  readonly networkReserveMs: number;
  readonly profileBudgetCeilingMs: number;
  readonly maxBidBodyBytes: number;
  readonly maxEventBodyBytes: number;
  readonly maxDecisionBodyBytes: number;
  /** Whether callers may ask for the per-line-item explain trace. */
  readonly explainAllowed: boolean;
  /** How often an isolate re-checks the catalog version (in the background). */
  readonly catalogRefreshSec: number;
  /**
   * Most of `tmax` a cold isolate's first catalog load may take before the request no-bids (the
   * load carries on in the background). Two KV reads served from the colo's cache take a few ms; a
   * colo-cold read is tens of ms, and past 50 ms a bid is more likely to miss the auction anyway.
   */
  readonly catalogFirstLoadMs: number;
  /** Whether the hot path skips the profile read for ids the known-users filter has never seen. */
  readonly knownUsersFilter: boolean;
  /** How often an isolate re-reads the known-users filter's recent list (in the background). */
  readonly knownUsersRefreshMs: number;
  /** Ids the directory's filter is first sized for (1 % false positives); it doubles when passed. */
  readonly knownUsersCapacity: number;
}

function num(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

const cache = new WeakMap<object, Config>();

/** Secrets shorter than this are refused: a guessable key makes hashed ids reversible. */
const MIN_SECRET_LENGTH = 16;

/**
 * A required secret, or a 503 that names which one is missing (names are not sensitive).
 * Without this, an unset secret would silently hash with the string "undefined".
 */
export function secret(env: Env, name: 'USER_KEY_SECRET' | 'TRACKING_SECRET'): string {
  const value: unknown = env[name];
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) return value;
  log('error', 'secret_missing', { name });
  throw new AppError('service_misconfigured', `the service is not configured (${name}); see README, Deploying`);
}

export function config(env: Env): Config {
  let cfg = cache.get(env);
  if (!cfg) {
    cfg = {
      networkReserveMs: num(env.NETWORK_RESERVE_MS, 40),
      profileBudgetCeilingMs: num(env.PROFILE_BUDGET_CEILING_MS, 30),
      maxBidBodyBytes: 256 * 1024,
      maxEventBodyBytes: 512 * 1024,
      maxDecisionBodyBytes: 64 * 1024,
      explainAllowed: env.EXPLAIN === 'on',
      // Floored: 0 would read KV on every request (and NaN, before this, never refreshed).
      catalogRefreshSec: Math.max(1, num(env.CATALOG_REFRESH_SEC, 15)),
      catalogFirstLoadMs: 50,
      // Only an explicit "on": over profiles made before it, the filter would call them unknown.
      knownUsersFilter: env.KNOWN_USERS_FILTER === 'on',
      // Floored: every refresh is a KV read per isolate.
      knownUsersRefreshMs: Math.max(50, num(env.KNOWN_USERS_REFRESH_MS, 500)),
      // 1,000 ids is a few KB; 20,000,000 (about 24 MB) is what one KV value can hold.
      knownUsersCapacity: Math.min(20_000_000, Math.max(1_000, Math.floor(num(env.KNOWN_USERS_CAPACITY, 1_000_000)))),
    };
    cache.set(env, cfg);
  }
  return cfg;
}

const policies = new WeakMap<object, ConsentPolicy>();

/**
 * The consent gate's policy inputs (README, "Privacy"). Fails closed: a vendor id that is not a
 * GVL id (1–65535) is no vendor id, and anything but "contextual" is a no-bid.
 */
export function consentPolicy(env: Env): ConsentPolicy {
  let policy = policies.get(env);
  if (!policy) {
    const vendorId = Number(env.TCF_VENDOR_ID);
    policy = {
      tcfVendorId: Number.isInteger(vendorId) && vendorId >= 1 && vendorId <= 65_535 ? vendorId : null,
      gdprWithoutConsent: env.GDPR_WITHOUT_CONSENT === 'contextual' ? 'contextual' : 'no_bid',
    };
    policies.set(env, policy);
  }
  return policy;
}
