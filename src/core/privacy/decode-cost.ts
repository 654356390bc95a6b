/**
 * Bounds on what decoding a consent string may cost, checked before the IAB libraries see it.
 *
 * Both libraries expand id ranges one id at a time: a 100-character TC string whose vendor
 * section lists ten ranges 1–65535 costs the TCF library about a third of a second of CPU, and
 * a GPP header whose section-id range is huge makes the GPP library grow an array until V8
 * aborts the process (uncatchable). Requests carry these strings from anyone, so the ranges are
 * counted here, by walking the bit layout without expanding anything. This is a cost check
 * only; the libraries still do the decoding.
 */

/** Far above any real string (a range-encoded vector lists at most the ~1,500 vendors of today's GVL). */
export const MAX_TCF_RANGE_IDS = 10_000;
/** GPP knows a few dozen sections; a header listing more is not a real one. */
export const MAX_GPP_SECTION_IDS = 64;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Reads big-endian bit fields from a base64url string (6 bits a character). */
class BitReader {
  private pos = 0;
  constructor(private readonly s: string) {}

  /** The next `n` bits (n ≤ 36, so the value fits a double exactly), or null past the end. */
  read(n: number): number | null {
    if (this.pos + n > this.s.length * 6) return null;
    let v = 0;
    for (let i = 0; i < n; i++, this.pos++) {
      const sextet = ALPHABET.indexOf(this.s.charAt(Math.floor(this.pos / 6)));
      v = v * 2 + ((sextet >> (5 - (this.pos % 6))) & 1);
    }
    return v;
  }

  skip(n: number): void {
    this.pos += n;
  }
}

/** TCF v2 core-segment fields before the vendor consents: created … publisherCC, after the 6-bit version. */
const CORE_FIXED_BITS_AFTER_VERSION = 36 + 36 + 12 + 12 + 6 + 12 + 12 + 6 + 1 + 1 + 12 + 24 + 24 + 1 + 12;

/**
 * True when the TCF library may decode `tcString` at bounded cost: every segment's range
 * entries (vendor consents, vendor legitimate interests, publisher restrictions, disclosed and
 * allowed vendors) expand to at most MAX_TCF_RANGE_IDS ids in all. Strings that are not TCF v2
 * at all are refused too. Running out of bits is fine: the library rejects those cheaply.
 */
export function tcfDecodeIsBounded(tcString: string): boolean {
  let ids = 0;
  for (const segment of tcString.split('.')) {
    if (!BASE64URL.test(segment)) return false;
    const bits = new BitReader(segment);
    const type = new BitReader(segment).read(3);
    if (type === 0) {
      if (bits.read(6) !== 2) return false;
      bits.skip(CORE_FIXED_BITS_AFTER_VERSION);
      ids += vendorVectorIds(bits) + vendorVectorIds(bits) + restrictionIds(bits);
    } else if (type === 1 || type === 2) {
      // Disclosed / allowed vendors: the segment type, then a vendor vector.
      bits.skip(3);
      ids += vendorVectorIds(bits);
    }
    if (ids > MAX_TCF_RANGE_IDS) return false;
  }
  return true;
}

function vendorVectorIds(bits: BitReader): number {
  const maxId = bits.read(16);
  const isRange = bits.read(1);
  if (maxId === null || isRange === null) return 0;
  if (isRange === 0) {
    bits.skip(maxId);
    return 0;
  }
  return rangeEntryIds(bits, bits.read(12) ?? 0);
}

function restrictionIds(bits: BitReader): number {
  const restrictions = bits.read(12) ?? 0;
  let ids = 0;
  for (let i = 0; i < restrictions && ids <= MAX_TCF_RANGE_IDS; i++) {
    bits.skip(6 + 2); // purpose id, restriction type
    ids += rangeEntryIds(bits, bits.read(12) ?? 0);
  }
  return ids;
}

function rangeEntryIds(bits: BitReader, entries: number): number {
  let ids = 0;
  for (let i = 0; i < entries && ids <= MAX_TCF_RANGE_IDS; i++) {
    const isRange = bits.read(1);
    const first = bits.read(16);
    if (isRange === null || first === null) break;
    if (isRange === 0) {
      ids += 1;
      continue;
    }
    const last = bits.read(16);
    if (last === null) break;
    ids += Math.max(0, last - first + 1);
  }
  return ids;
}

/**
 * True when the GPP library may decode `header` (the part before the first `~`) at bounded
 * cost: a version-1 GPP header whose Fibonacci-coded section-id ranges list at most
 * MAX_GPP_SECTION_IDS ids.
 */
export function gppHeaderIsBounded(header: string): boolean {
  if (!BASE64URL.test(header)) return false;
  const bits = new BitReader(header);
  if (bits.read(6) !== 3 || bits.read(6) !== 1) return false;
  const entries = bits.read(12);
  if (entries === null || entries > MAX_GPP_SECTION_IDS) return false;
  let ids = 0;
  for (let i = 0; i < entries; i++) {
    const isRange = bits.read(1);
    const first = fibonacci(bits);
    if (isRange === null || first === null) return false;
    if (isRange === 1) {
      const span = fibonacci(bits);
      if (span === null) return false;
      ids += span + 1;
    } else {
      ids += 1;
    }
    if (ids > MAX_GPP_SECTION_IDS) return false;
  }
  return true;
}

/** A Fibonacci-coded integer (terminated by `11`), or null when it is absurdly long or unterminated. */
function fibonacci(bits: BitReader): number | null {
  let value = 0;
  let previousBit = 0;
  let fib = 1;
  let nextFib = 2;
  // 16 digits cover every value up to 2583; section ids and gaps between them are far smaller.
  for (let i = 0; i < 16; i++) {
    const bit = bits.read(1);
    if (bit === null) return null;
    if (bit === 1 && previousBit === 1) return value;
    if (bit === 1) value += fib;
    previousBit = bit;
    [fib, nextFib] = [nextFib, fib + nextFib];
  }
  return null;
}
