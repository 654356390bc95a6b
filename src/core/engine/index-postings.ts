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

/** `into |= posting` over the words [lo, hi); list entries outside that range may be written too (callers read only the range). */
export function orInto(into: Uint32Array, posting: Posting, lo: number, hi: number): void {
  const data = posting.data;
  if (posting.dense) {
    for (let w = lo; w < hi; w++) into[w] = (into[w] ?? 0) | (data[w] ?? 0);
    return;
  }
  for (let i = 0; i < data.length; i++) {
    const p = data[i] ?? 0;
    into[p >>> 5] = (into[p >>> 5] ?? 0) | (1 << (p & 31));
  }
}

/** Appends the positions set in `bits` over the words [lo, hi), ascending. */
export function appendPositions(bits: Uint32Array, lo: number, hi: number, out: number[]): void {
  for (let w = lo; w < hi; w++) {
    let word = bits[w] ?? 0;
    const base = w << 5;
    while (word !== 0) {
      const lowest = word & -word;
      out.push(base + 31 - Math.clz32(lowest));
      word ^= lowest;
    }
  }
}
