/**
 * Optimistic concurrency for the admin API. An entity's ETag is a hash of its canonical JSON
 * (keys sorted) and whether it is archived, so it changes exactly when what a client read
 * changes, needs no stored counter, and stays right across a catalog rollback (an entity rolled
 * back to what a client read matches that client's ETag again, which is correct: its edit
 * applies to the state it saw). The catalog itself is tagged by its current version.
 *
 * The hash is not cryptographic: it detects concurrent edits between trusted admins, where a
 * 106-bit accidental collision is not a concern.
 */
import { isJsonObject } from '../openrtb/primitives';

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  // `undefined` has no JSON text; JSON writes it as null inside arrays, and so does this.
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** cyrb53 (public domain): a fast 53-bit string hash with good dispersion. */
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The ETag header value (quotes included) of an entity in the given state. */
export function entityEtag(entity: unknown, archived: boolean): string {
  const text = `${archived ? 'archived' : 'live'}:${canonicalJson(entity)}`;
  return `"${cyrb53(text, 0).toString(16).padStart(14, '0')}${cyrb53(text, 1).toString(16).padStart(14, '0')}"`;
}

/** The ETag of the catalog as a whole: which version is current. */
export const catalogEtag = (version: number): string => `"catalog-${version}"`;

/**
 * Whether an `If-Match` header admits the current tag (RFC 9110 §13.1.1): `*` matches anything
 * that exists, otherwise one of the listed tags must equal it. Weak tags are compared by their
 * opaque part, since ours are only ever strong and some proxies weaken them on the way.
 */
export function ifMatchSatisfied(header: string, current: string | null): boolean {
  if (current === null) return false;
  if (header.trim() === '*') return true;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === current);
}
