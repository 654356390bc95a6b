/**
 * Typed view of the Worker's vars with defaults, so a missing or mistyped var degrades to a
 * sane value instead of NaN arithmetic on the hot path.
 */
export interface Config {
  readonly networkReserveMs: number;
  readonly profileBudgetCeilingMs: number;
  readonly maxBidBodyBytes: number;
  readonly maxEventBodyBytes: number;
  readonly maxDecisionBodyBytes: number;
}

function num(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

const cache = new WeakMap<object, Config>();

export function config(env: Env): Config {
  let cfg = cache.get(env);
  if (!cfg) {
    cfg = {
      networkReserveMs: num(env.NETWORK_RESERVE_MS, 40),
      profileBudgetCeilingMs: num(env.PROFILE_BUDGET_CEILING_MS, 30),
      maxBidBodyBytes: 256 * 1024,
      maxEventBodyBytes: 512 * 1024,
      maxDecisionBodyBytes: 64 * 1024,
    };
    cache.set(env, cfg);
  }
  return cfg;
}
