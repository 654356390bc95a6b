/**
 * Whether a `/v1/t/:token` request is an exchange's win (`nurl`) or billing (`burl`) notice with a
 * valid token. Those come from a handful of exchange server addresses at the exchange's win rate,
 * so a per-IP limit sized for browsers would refuse them and lose spend; they are exempt from it.
 * Forged, expired and malformed tokens, impressions and clicks stay limited per IP. The HMAC is
 * checked again by the handler: it costs microseconds, and keeps the handler independent of this.
 */
import type { Context } from 'hono';
import { secret } from './config';
import { verifyToken } from './tracking-token';

export async function isValidExchangeNotice(c: Context<{ Bindings: Env }>): Promise<boolean> {
  const token = c.req.param('token');
  if (token === undefined) return false;
  const r = await verifyToken(secret(c.env, 'TRACKING_SECRET'), token, Date.now());
  return r.ok && (r.payload.k === 'win' || r.payload.k === 'bill');
}
