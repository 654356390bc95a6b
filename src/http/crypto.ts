/**
 * Keyed hashing and signing at the edge. User keys are HMAC-SHA256'd with a secret before they
 * reach any storage, so stored ids cannot be reversed or joined with other systems' ids.
 * Imported keys are cached per isolate and secret — the resolved key, never a promise another
 * request might be awaiting (a promise created by a cancelled request may never settle).
 */
import { userKeyMaterial, type UserKey } from '../core/identity/user-key';

const keys = new Map<string, CryptoKey>();
const encoder = new TextEncoder();

async function hmacKey(secret: string): Promise<CryptoKey> {
  const cached = keys.get(secret);
  if (cached) return cached;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  keys.set(secret, key);
  return key;
}

export async function hmacBase64Url(secret: string, data: string): Promise<string> {
  const sig = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(data));
  return base64UrlEncode(new Uint8Array(sig));
}

export async function hmacVerify(secret: string, data: string, signature: string): Promise<boolean> {
  const sig = base64UrlDecode(signature);
  if (!sig) return false;
  return crypto.subtle.verify('HMAC', await hmacKey(secret), sig, encoder.encode(data));
}

/** The storage key of a user: stable, keyed, irreversible without the secret, distinct per id space. */
export function hashUserKey(secret: string, userKey: UserKey): Promise<string> {
  return hmacBase64Url(secret, userKeyMaterial(userKey));
}

export function base64UrlEncode(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function base64UrlDecode(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  try {
    const bin = atob(s.replaceAll('-', '+').replaceAll('_', '/'));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

const sealKeys = new Map<string, CryptoKey>();

/** AES-GCM key for sealing, derived from `secret` (a different key from the HMAC one). */
async function sealKey(secret: string): Promise<CryptoKey> {
  const cached = sealKeys.get(secret);
  if (cached) return cached;
  const raw = await crypto.subtle.digest('SHA-256', encoder.encode(`edgebid-seal|${secret}`));
  const key = await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  sealKeys.set(secret, key);
  return key;
}

/**
 * Encrypts `plaintext` (random 96-bit nonce, AES-GCM) so a value that must travel through
 * third parties — a user hash inside an impression URL in ad markup — is unreadable and
 * unlinkable: the same value seals differently every time.
 */
export async function seal(secret: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await sealKey(secret), encoder.encode(plaintext)));
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return base64UrlEncode(out);
}

/** The sealed value, or null when it was not sealed with this secret (or was tampered with). */
export async function unseal(secret: string, sealed: string): Promise<string | null> {
  const bytes = base64UrlDecode(sealed);
  if (!bytes || bytes.length <= 12) return null;
  try {
    const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12) }, await sealKey(secret), bytes.slice(12));
    return new TextDecoder().decode(pt);
  } catch {
    return null;
  }
}
