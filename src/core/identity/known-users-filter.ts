/**
 * The known-users filter: a Bloom filter over our keyed user hashes, so the edge can tell "this id
 * certainly has no profile" without a Durable Object call. It never answers "absent" for a hash
 * that was added (no false negatives); it answers "maybe" for about 1 % of hashes never added.
 *
 * User hashes are HMAC-SHA256 outputs in base64url (src/http/crypto.ts), i.e. already uniformly
 * random: the bit positions come from the hash's own bits (two 32-bit words, double hashing), so
 * no second hash function runs per lookup. A string that is not such a hash still gets stable
 * positions from a string mix, so the filter stays consistent for any input.
 *
 * Serialised form (little-endian): 16-byte header, then the bit array.
 *   0..3  magic "EBKU"   4 format version (1)   5 k   6..7 zero
 *   8..11 bit count (a multiple of 8)   12..15 number of hashes added
 * Loading is strict: a value with a wrong magic, version, size or k is refused as a whole.
 */

export const FILTER_FORMAT_VERSION = 1;
export const FILTER_HEADER_BYTES = 16;
/** KV's value limit is 25 MiB; a filter past this must be sharded (README, "Profile pipeline"). */
export const MAX_FILTER_BITS = 24 * 1024 * 1024 * 8;
const MAGIC = [0x45, 0x42, 0x4b, 0x55]; // "EBKU"
const MAX_K = 24;

export interface KnownUsersFilter {
  readonly bitCount: number;
  readonly k: number;
  /** Hashes added (duplicates included when the caller adds one twice; the directory never does). */
  readonly count: number;
  add(hash: string): void;
  /** False only when `hash` was certainly never added. */
  mightContain(hash: string): boolean;
  toBytes(): Uint8Array;
}

/** Bits and hash count for `capacity` entries at false-positive rate `fpRate` (the textbook optimum). */
export function filterSize(capacity: number, fpRate = 0.01): { bitCount: number; k: number } {
  const n = Math.max(1, Math.floor(capacity));
  const ideal = Math.ceil((-n * Math.log(fpRate)) / (Math.LN2 * Math.LN2));
  const bitCount = Math.min(MAX_FILTER_BITS, Math.max(64, Math.ceil(ideal / 8) * 8));
  const k = Math.min(MAX_K, Math.max(1, Math.round((bitCount / n) * Math.LN2)));
  return { bitCount, k };
}

export function createFilter(capacity: number, fpRate = 0.01): KnownUsersFilter {
  const { bitCount, k } = filterSize(capacity, fpRate);
  return filterOver(new Uint8Array(bitCount / 8), bitCount, k, 0);
}

/** The filter in `bytes`, or null when they are not a filter of this format (never half-loaded). */
export function filterFromBytes(bytes: Uint8Array): KnownUsersFilter | null {
  if (bytes.length < FILTER_HEADER_BYTES) return null;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(4) !== FILTER_FORMAT_VERSION || view.getUint16(6, true) !== 0) return null;
  const k = view.getUint8(5);
  const bitCount = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (k < 1 || k > MAX_K || bitCount < 64 || bitCount % 8 !== 0 || bitCount > MAX_FILTER_BITS) return null;
  if (bytes.length !== FILTER_HEADER_BYTES + bitCount / 8) return null;
  // A copy: the caller's buffer (a KV read) may be reused or detached.
  return filterOver(bytes.slice(FILTER_HEADER_BYTES), bitCount, k, count);
}

function filterOver(bits: Uint8Array, bitCount: number, k: number, initialCount: number): KnownUsersFilter {
  let count = initialCount;
  const positions = (hash: string, visit: (bit: number) => boolean): boolean => {
    const [h1, h2raw] = wordsOf(hash);
    // An odd step never shares a factor of 2 with the bit count, so the k probes spread.
    const h2 = (h2raw | 1) >>> 0;
    for (let i = 0; i < k; i++) {
      if (!visit((h1 + i * h2) % bitCount)) return false;
    }
    return true;
  };
  return {
    bitCount,
    k,
    get count() {
      return count;
    },
    add(hash) {
      positions(hash, (bit) => {
        bits[bit >>> 3] = (bits[bit >>> 3] ?? 0) | (1 << (bit & 7));
        return true;
      });
      count = Math.min(0xffff_ffff, count + 1);
    },
    mightContain(hash) {
      return positions(hash, (bit) => ((bits[bit >>> 3] ?? 0) & (1 << (bit & 7))) !== 0);
    },
    toBytes() {
      const out = new Uint8Array(FILTER_HEADER_BYTES + bits.length);
      out.set(MAGIC, 0);
      const view = new DataView(out.buffer);
      view.setUint8(4, FILTER_FORMAT_VERSION);
      view.setUint8(5, k);
      view.setUint32(8, bitCount, true);
      view.setUint32(12, count, true);
      out.set(bits, FILTER_HEADER_BYTES);
      return out;
    },
  };
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) SEXTET[B64URL.charCodeAt(i)] = i;

/**
 * Two unsigned 32-bit words from the hash: its first 64 bits when it is base64url (11
 * characters carry 66), else a string mix of the whole value.
 */
export function wordsOf(hash: string): [number, number] {
  if (hash.length >= 11) {
    let hi = 0;
    let lo = 0;
    let ok = true;
    for (let i = 0; i < 11; i++) {
      const c = hash.charCodeAt(i);
      const s = c < 128 ? (SEXTET[c] ?? -1) : -1;
      if (s < 0) {
        ok = false;
        break;
      }
      // 66 bits as a 64-bit shift register of two words; the top two bits fall off.
      hi = ((hi << 6) | (lo >>> 26)) >>> 0;
      lo = ((lo << 6) | s) >>> 0;
    }
    if (ok) return [hi, lo];
  }
  return [mix(hash, 0x811c9dc5), mix(hash, 0x01000193)];
}

/** FNV-1a with a final avalanche (only for strings that are not our hashes). */
function mix(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
