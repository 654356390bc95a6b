/**
 * `GET /v1/t/:token`: impression pixel, click redirect, win and billing notices. Tokens are
 * signed and expire, so forged or stale hits are refused. An impression of a user we may profile
 * goes to the profile pipeline (frequency caps, wear-out) as an `impression` event whose id is
 * derived from the bid, so a replayed pixel counts once. Every valid hit also goes to its
 * campaign's ledger (spend, counters, exposure for lift), which counts each placement's notice
 * of a kind once: a replayed hit is answered as usual and not counted again.
 */
import { Hono } from 'hono';
import { AppError } from '../core/errors';
import { sendHit } from '../store/ledger-outbox';
import { secret } from './config';
import { unseal } from './crypto';
import { log } from '../log';
import { verifyToken, type TrackingPayload } from './tracking-token';
import type { ProfileEvent } from '../core/model';

/** A transparent 1×1 GIF. */
const PIXEL = Uint8Array.from(atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'), (ch) => ch.charCodeAt(0));

export const tracking = new Hono<{ Bindings: Env }>();

tracking.get('/:token', async (c) => {
  const nowMs = Date.now();
  const tracking = secret(c.env, 'TRACKING_SECRET');
  const result = await verifyToken(tracking, c.req.param('token'), nowMs);
  if (!result.ok) {
    throw result.reason === 'expired'
      ? new AppError('token_expired', 'tracking link has expired')
      : new AppError('invalid_token', 'tracking link is not valid');
  }
  const sealedUser = result.payload.u;
  const userHash = sealedUser !== undefined ? await unseal(tracking, sealedUser) : null;
  // Downstream (ledger exposure, frequency caps) sees the opened hash, or none.
  const payload: TrackingPayload = { ...result.payload };
  if (userHash !== null) payload.u = userHash;
  else delete payload.u;
  await sendHit(c.env, payload, c.req.query('price'), nowMs);
  c.header('Cache-Control', 'no-store');
  switch (payload.k) {
    case 'click':
      if (!payload.url) throw new AppError('invalid_token', 'tracking link is not valid');
      return c.redirect(payload.url, 302);
    case 'imp':
      if (userHash !== null) {
        try {
          await c.env.PROFILE_EVENTS.send(impressionEvent(payload, userHash, nowMs));
        } catch {
          // The pixel still answers: a lost frequency-cap impression is not worth a broken ad.
          log('warn', 'impression_event_unsent');
        }
      }
      return c.body(PIXEL, 200, { 'Content-Type': 'image/gif' });
    case 'win':
    case 'bill':
      return c.body(null, 204);
  }
});

function impressionEvent(p: TrackingPayload, userHash: string, nowMs: number): ProfileEvent {
  return {
    id: `imp:${p.b}:${p.i}`,
    type: 'impression',
    userHash,
    tsMs: nowMs,
    advertiserId: p.adv,
    campaignId: p.cmp,
    lineItemId: p.li,
  };
}
