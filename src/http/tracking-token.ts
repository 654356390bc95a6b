/**
 * Signed, expiring tracking tokens for impression, click, win (`nurl`) and billing (`burl`)
 * URLs: `base64url(JSON payload) . base64url(HMAC)`. The click target is inside the signed
 * payload, so the click endpoint cannot be used as an open redirect. For users we may profile,
 * the impression token carries the keyed hash of their user key (never the key itself), so the
 * impression counts toward frequency caps.
 */
import { z } from 'zod';
import { base64UrlDecode, base64UrlEncode, hmacBase64Url, hmacVerify } from './crypto';

const payloadSchema = z.object({
  k: z.enum(['imp', 'click', 'win', 'bill']),
  /** Response (bid) id and imp id: what a ledger dedupes replays by. */
  b: z.string(),
  i: z.string(),
  /** Line item, creative, campaign ids. */
  li: z.string(),
  cr: z.string(),
  cmp: z.string(),
  adv: z.string(),
  /** Hashed user key, sealed (AES-GCM; behavioural consent only), on impression tokens. */
  u: z.string().optional(),
  /** Bid price in micros, for win/billing accounting. */
  p: z.number().int().nonnegative(),
  exp: z.number().int(),
  url: z.url({ protocol: /^https?$/ }).optional(),
});

export type TrackingPayload = z.infer<typeof payloadSchema>;

/** Tracking URLs stay valid this long after the decision. */
export const TRACKING_TTL_MS = 24 * 3_600_000;

export async function signToken(secret: string, payload: TrackingPayload): Promise<string> {
  const body = base64UrlEncode(new TextEncoder().encode(JSON.stringify(payload)));
  return `${body}.${await hmacBase64Url(secret, body)}`;
}

export type VerifyResult = { ok: true; payload: TrackingPayload } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export async function verifyToken(secret: string, token: string, nowMs: number): Promise<VerifyResult> {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return { ok: false, reason: 'malformed' };
  if (!(await hmacVerify(secret, body, sig))) return { ok: false, reason: 'bad_signature' };
  const bytes = base64UrlDecode(body);
  if (!bytes) return { ok: false, reason: 'malformed' };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  if (parsed.data.exp < nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, payload: parsed.data };
}
