/**
 * Per-publisher and per-IP rate limits on the events and tracking endpoints, through Cloudflare's
 * Rate Limiting binding (the `[[ratelimits]]` in wrangler.toml; miniflare runs it locally). Counts
 * are per Cloudflare location and approximate — this stops floods and forged-hit storms, it is not
 * billing. IPs never leave the request in clear: the key is a keyed hash of the client's address
 * (its /64 for IPv6), truncated to 128 bits.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { AppError } from '../core/errors';
import { clientNetwork } from '../core/security/client-ip';
import { log } from '../log';
import { secret } from './config';
import { hmacBase64Url } from './crypto';

/**
 * The period of every `[[ratelimits]]` binding in wrangler.toml (Cloudflare allows 10 or 60 s).
 * The binding says only yes or no, so `Retry-After` is the longest wait: one whole period.
 */
export const RATE_LIMIT_PERIOD_SEC = 10;

type HttpContext = Context<{ Bindings: Env }>;

export interface RateRule {
  /** For logs: which limit refused the request. */
  readonly name: string;
  readonly limiter: (env: Env) => RateLimit;
  /** The counter's key, or null to skip this rule for the request. */
  readonly key: (c: HttpContext) => Promise<string | null>;
}

/** One counter per authenticated caller (publisher, exchange or admin). */
export function perPrincipal(name: string, limiter: (env: Env) => RateLimit): RateRule {
  return {
    name,
    limiter,
    key: (c) => {
      const p = c.get('principal');
      return Promise.resolve(p ? `p:${p.kind}:${p.id}` : null);
    },
  };
}

/** One counter per client network. Without a usable `CF-Connecting-IP` (local tools) it is skipped. */
export function perClientIp(name: string, limiter: (env: Env) => RateLimit): RateRule {
  return {
    name,
    limiter,
    key: async (c) => {
      const network = clientNetwork(c.req.header('cf-connecting-ip'));
      return network === null ? null : `ip:${(await ipHash(c.env, network)).slice(0, 22)}`;
    },
  };
}

/** `rule`, skipped for requests `exempt` says yes to. */
export function unless(rule: RateRule, exempt: (c: HttpContext) => Promise<boolean>): RateRule {
  return { ...rule, key: async (c) => ((await exempt(c)) ? null : rule.key(c)) };
}

const IP_KEY_LABEL = 'edgebid rate-limit client-ip key v1';
let ipKey: { from: string; key: string } | undefined;

/** HMAC under a key derived from USER_KEY_SECRET, so one secret does not serve two purposes directly. */
async function ipHash(env: Env, network: string): Promise<string> {
  const root = secret(env, 'USER_KEY_SECRET');
  if (ipKey?.from !== root) ipKey = { from: root, key: await hmacBase64Url(root, IP_KEY_LABEL) };
  return hmacBase64Url(ipKey.key, network);
}

/** Checks every rule (in parallel); the first refusal answers 429 with `Retry-After`. */
export function rateLimit(...rules: readonly RateRule[]): MiddlewareHandler<{ Bindings: Env }> {
  return async function rateLimitMiddleware(c, next) {
    const outcomes = await Promise.all(rules.map((rule) => allowed(c, rule)));
    const refused = rules.find((_, i) => !outcomes[i]);
    if (refused) {
      log('warn', 'rate_limited', { rule: refused.name, route: routePath(c) });
      const err = new AppError('rate_limited', `too many requests; retry after ${RATE_LIMIT_PERIOD_SEC} s`);
      return c.json(err.toJSON(), err.status, { 'Retry-After': String(RATE_LIMIT_PERIOD_SEC) });
    }
    await next();
  };
}

async function allowed(c: HttpContext, rule: RateRule): Promise<boolean> {
  try {
    const key = await rule.key(c);
    if (key === null) return true;
    return (await rule.limiter(c.env).limit({ key })).success;
  } catch (err) {
    // Serving ads matters more than counting them: if the limiter itself fails, let the request
    // through (logged) rather than refusing every caller. A missing secret is still a 503.
    if (err instanceof AppError) throw err;
    log('error', 'rate_limiter_failed', { rule: rule.name, error: err instanceof Error ? err.name : typeof err });
    return true;
  }
}
