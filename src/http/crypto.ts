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
