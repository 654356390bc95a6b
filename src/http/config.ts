/**
 * Typed view of the Worker's vars with defaults, so a missing or mistyped var degrades to a
 * sane value instead of NaN arithmetic on the hot path.
 */
import { AppError } from '../core/errors';
import { log } from '../log';

export interface Config {
  readonly networkReserveMs: number;
  readonly profileBudgetCeilingMs: number;
  readonly maxBidBodyBytes: number;
  readonly maxEventBodyBytes: number;
  readonly maxDecisionBodyBytes: number;
  /** Whether callers may ask for the per-line-item explain trace. */
  readonly explainAllowed: boolean;
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
    };
    cache.set(env, cfg);
  }
  return cfg;
}
