/**
 * User keys and their namespaces. The same string means different people in different id
 * spaces (our cookie "123", an exchange's user "123", a device ad id), so the kind is part of
 * what gets hashed. Placeholder ids ("0", "null", all zeros) would make one hot profile out of
 * millions of users, so they are no id at all.
 */

export type UserKeyKind =
  /** Our own first-party id: the publisher's/our cookie or login id; OpenRTB `user.buyeruid`. */
  | 'uid'
  /** An exchange's user id (`user.id`). Not linkable to events until identity linking exists. */
  | 'xid'
  /** A device advertising id (IDFA / AAID), `device.ifa`. */
  | 'ifa';

export interface UserKey {
  readonly kind: UserKeyKind;
  readonly value: string;
}

export const MIN_USER_KEY_LENGTH = 6;
const PLACEHOLDER = /^(null|undefined|unknown|none|nil|n\/a|anonymous|anon|guest|test|default|optout|opt-out)$/i;

/** False for ids that name nobody in particular: too short, placeholders, one repeated character. */
export function isUsableUserId(value: string): boolean {
  const v = value.trim();
  if (v.length < MIN_USER_KEY_LENGTH || PLACEHOLDER.test(v)) return false;
  // All zeros / dashes, "xxxxxx", "000000-0000-...": one distinct character apart from separators.
  return new Set(v.replace(/[-_.: ]/g, '').toLowerCase()).size > 1;
}

/**
 * The string the keyed hash is computed over. Device ad ids are UUIDs whose case varies by
 * platform and SDK, so they are compared case-insensitively; other ids are opaque.
 */
export function userKeyMaterial(key: UserKey): string {
  const value = key.value.trim();
  return `${key.kind}:${key.kind === 'ifa' ? value.toLowerCase() : value}`;
}
