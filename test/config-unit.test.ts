/** The typed view of vars: defaults for missing or mistyped values, explain off unless switched on. */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/core/errors';
import { config, secret } from '../src/http/config';

describe('config', () => {
  it('keeps the explain trace off unless EXPLAIN is "on"', () => {
    expect(config({ ...env, EXPLAIN: '' }).explainAllowed).toBe(false);
    expect(config({ ...env, EXPLAIN: 'on' }).explainAllowed).toBe(true);
  });
  it('refuses a missing or short secret with a 503 naming it, instead of hashing with "undefined"', () => {
    expect(secret(env, 'USER_KEY_SECRET')).toBe(env.USER_KEY_SECRET);
    for (const value of [undefined, 'short']) {
      const broken = { ...env, USER_KEY_SECRET: value } as unknown as Env;
      expect(() => secret(broken, 'USER_KEY_SECRET')).toThrow(AppError);
      try {
        secret(broken, 'USER_KEY_SECRET');
      } catch (err) {
        expect(err).toMatchObject({ code: 'service_misconfigured', status: 503 });
      }
    }
  });

  it('falls back to defaults for missing or nonsense numbers', () => {
    const cfg = config({ ...env, NETWORK_RESERVE_MS: 'soon', PROFILE_BUDGET_CEILING_MS: '' });
    expect(cfg.networkReserveMs).toBe(40);
    expect(cfg.profileBudgetCeilingMs).toBe(30);
  });
});
