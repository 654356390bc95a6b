/**
 * `GET /v1/t/:token`: impression pixel, click redirect and win notice. Tokens are signed and
 * expire, so forged or stale hits are refused. Counting these hits (spend, frequency, reports)
 * is the campaign-ledger issue's; here they are verified and answered.
 */
import { Hono } from 'hono';
import { AppError } from '../core/errors';
import { secret } from './config';
import { verifyToken } from './tracking-token';

/** A transparent 1×1 GIF. */
const PIXEL = Uint8Array.from(atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'), (ch) => ch.charCodeAt(0));

export const tracking = new Hono<{ Bindings: Env }>();

tracking.get('/:token', async (c) => {
  const result = await verifyToken(secret(c.env, 'TRACKING_SECRET'), c.req.param('token'), Date.now());
  if (!result.ok) {
    throw result.reason === 'expired'
      ? new AppError('token_expired', 'tracking link has expired')
      : new AppError('invalid_token', 'tracking link is not valid');
  }
  const { payload } = result;
  c.header('Cache-Control', 'no-store');
  switch (payload.k) {
    case 'click':
      if (!payload.url) throw new AppError('invalid_token', 'tracking link is not valid');
      return c.redirect(payload.url, 302);
    case 'imp':
      return c.body(PIXEL, 200, { 'Content-Type': 'image/gif' });
    case 'win':
      return c.body(null, 204);
  }
});
