/**
 * The ids an `identify` event (or a privacy request) may name. Besides the id spaces the hot path
 * knows (our first-party id, device ad ids, exchange ids), a CRM id: a hashed e-mail or customer
 * number, sent hashed by the advertiser, used only to link and to erase — never seen in a bid.
 */
import { userKeyMaterial } from '../identity/user-key';

export const LINK_KEY_KINDS = ['uid', 'ifa', 'xid', 'crm'] as const;
export type LinkKeyKind = (typeof LINK_KEY_KINDS)[number];

export interface LinkKey {
  readonly kind: LinkKeyKind;
  readonly value: string;
}

/** Most ids one identify event may link. */
export const MAX_LINKS_PER_EVENT = 10;

/** What the keyed hash is computed over: the hot path's material for its spaces; CRM hashes compared case-insensitively (hex). */
export function linkKeyMaterial(key: LinkKey): string {
  if (key.kind === 'crm') return `crm:${key.value.trim().toLowerCase()}`;
  return userKeyMaterial({ kind: key.kind, value: key.value });
}
