/**
 * Sets of line item positions for the candidate index, as 32-bit words. A value held by many
 * line items is a bitset (OR-ed word by word); a rare value is a sorted list of positions (one
 * write per position), which keeps memory proportional to the postings, not values × line items.
 */

export interface Posting {
  /** `true`: `data` is a bitset of `words` words; `false`: ascending positions. */
  readonly dense: boolean;
  readonly data: Uint32Array;
}

export function wordsFor(size: number): number {
  return (size + 31) >>> 5;
}

export function bitsetOf(positions: readonly number[], words: number): Uint32Array {
  const bits = new Uint32Array(words);
  for (const p of positions) bits[p >>> 5] = (bits[p >>> 5] ?? 0) | (1 << (p & 31));
  return bits;
}

/**
 * A bitset costs `words` word operations per use, a list one per position: a list wins below a
 * few positions per word of the bitset; the cut-off keeps bitsets at least that full.
 */
export function postingOf(positions: readonly number[], words: number): Posting {
  return positions.length * 4 >= words
    ? { dense: true, data: bitsetOf(positions, words) }
    : { dense: false, data: Uint32Array.from(positions) };
}

/**
 * Working memory of one query, reused across queries (the engine is single-threaded per isolate
 * and a query never yields). `acc` is zero outside the words [lo, hi).
 */
export interface Scratch {
  readonly acc: Uint32Array;
  readonly tmp: Uint32Array;
  /** The postings the request's values hit on the current dimension: the first `hitCount`. */
  readonly hits: Posting[];
  hitCount: number;
  readonly dense: Posting[];
  /** Positions of list postings whose bit is still set in `acc`. */
  readonly kept: number[];
  lo: number;
  hi: number;
}

export function scratchFor(words: number): Scratch {
  return { acc: new Uint32Array(words), tmp: new Uint32Array(words), hits: [], hitCount: 0, dense: [], kept: [], lo: 0, hi: 0 };
}

/**
 * `acc = source & (unconstrained | hits…)` over [lo, hi), then narrows [lo, hi). `source` is
 * `acc` itself, or for the first dimension the eligible set (saving a copy). One pass over the
 * words for up to two bitset hits; list hits are applied bit by bit as `source & list`, which
 * survives the AND: (source & (u | d)) | (source & list).
 */
export function andWithUnion(s: Scratch, source: Uint32Array, unconstrained: Uint32Array): void {
  const { acc, dense, kept } = s;
  const { lo, hi } = s;
  const loBit = lo << 5;
  const hiBit = hi << 5;
  let denseCount = 0;
  let keptCount = 0;
  for (let i = 0; i < s.hitCount; i++) {
    const p = s.hits[i];
    if (p === undefined) continue;
    if (p.dense) {
      dense[denseCount++] = p;
      continue;
    }
    const data = p.data;
    for (let j = 0; j < data.length; j++) {
      const pos = data[j] ?? 0;
      // Outside [lo, hi) `acc` may hold a previous query's words: never read them.
      if (pos >= loBit && pos < hiBit && ((source[pos >>> 5] ?? 0) & (1 << (pos & 31))) !== 0) kept[keptCount++] = pos;
    }
  }
  const u = unconstrained;
  const a = dense[0]?.data;
  const b = dense[1]?.data;
  if (denseCount === 0 || a === undefined) {
    for (let w = lo; w < hi; w++) acc[w] = (source[w] ?? 0) & (u[w] ?? 0);
  } else if (denseCount === 1 || b === undefined) {
    for (let w = lo; w < hi; w++) acc[w] = (source[w] ?? 0) & ((u[w] ?? 0) | (a[w] ?? 0));
  } else if (denseCount === 2) {
    for (let w = lo; w < hi; w++) acc[w] = (source[w] ?? 0) & ((u[w] ?? 0) | (a[w] ?? 0) | (b[w] ?? 0));
  } else {
    const tmp = s.tmp;
    for (let w = lo; w < hi; w++) tmp[w] = (u[w] ?? 0) | (a[w] ?? 0) | (b[w] ?? 0);
    for (let i = 2; i < denseCount; i++) {
      const d = dense[i]?.data;
      if (d !== undefined) for (let w = lo; w < hi; w++) tmp[w] = (tmp[w] ?? 0) | (d[w] ?? 0);
    }
    for (let w = lo; w < hi; w++) acc[w] = (source[w] ?? 0) & (tmp[w] ?? 0);
  }
  for (let i = 0; i < keptCount; i++) {
    const pos = kept[i] ?? 0;
    acc[pos >>> 5] = (acc[pos >>> 5] ?? 0) | (1 << (pos & 31));
  }
  narrow(s);
}

/** Shrinks [lo, hi) to the words of `acc` that still have a bit set. */
export function narrow(s: Scratch): void {
  let { lo, hi } = s;
  while (lo < hi && s.acc[lo] === 0) lo++;
  while (hi > lo && s.acc[hi - 1] === 0) hi--;
  s.lo = lo;
  s.hi = hi;
}

/** The positions set in `bits` over the words [lo, hi), ascending, in an array of exactly their number. */
export function positionsOf(bits: Uint32Array, lo: number, hi: number): number[] {
  let count = 0;
  for (let w = lo; w < hi; w++) count += popcount(bits[w] ?? 0);
  const out = new Array<number>(count);
  let n = 0;
  for (let w = lo; w < hi; w++) {
    let word = bits[w] ?? 0;
    const base = w << 5;
    while (word !== 0) {
      const lowest = word & -word;
      out[n++] = base + 31 - Math.clz32(lowest);
      word ^= lowest;
    }
  }
  return out;
}

/** First (lowest, highest + 1) words with a bit set, `[0, 0]` when none. */
export function nonZeroRange(bits: Uint32Array): readonly [number, number] {
  let lo = 0;
  let hi = bits.length;
  while (lo < hi && bits[lo] === 0) lo++;
  while (hi > lo && bits[hi - 1] === 0) hi--;
  return lo < hi ? [lo, hi] : [0, 0];
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
