import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFilter, FILTER_HEADER_BYTES, filterFromBytes, filterSize, wordsOf } from './known-users-filter';

/** Shaped like src/http/crypto.ts's user hashes: 32 uniformly random bytes (an HMAC output) in base64url, 43 characters. */
const toBase64Url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const randomHash = (): string => toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
const hashArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64Url);

describe('known-users filter', () => {
  it('is sized for 1 % false positives: 1,000,000 ids take about 1.2 MB and 7 probes', () => {
    const { bitCount, k } = filterSize(1_000_000);
    expect(bitCount / 8).toBeGreaterThan(1_150_000);
    expect(bitCount / 8).toBeLessThan(1_250_000);
    expect(k).toBe(7);
  });

  it('never says absent for a hash that was added (property)', () => {
    fc.assert(
      fc.property(fc.array(hashArb, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 5_000 }), (hashes, capacity) => {
        const filter = createFilter(capacity);
        for (const h of hashes) filter.add(h);
        return hashes.every((h) => filter.mightContain(h));
      }),
      { numRuns: 200 },
    );
  });

  it('never says absent for any added string, hash-shaped or not (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 100 }), (values) => {
        const filter = createFilter(50);
        for (const v of values) filter.add(v);
        return values.every((v) => filter.mightContain(v));
      }),
    );
  });

  it('keeps the false-positive rate near 1 % when filled to capacity', () => {
    const capacity = 20_000;
    const filter = createFilter(capacity);
    const members = new Set<string>();
    while (members.size < capacity) members.add(randomHash());
    for (const h of members) filter.add(h);
    const probes = 50_000;
    let falsePositives = 0;
    for (let i = 0; i < probes; i++) {
      const stranger = randomHash();
      if (!members.has(stranger) && filter.mightContain(stranger)) falsePositives++;
    }
    const rate = falsePositives / probes;
    expect(rate).toBeGreaterThan(0.005);
    expect(rate).toBeLessThan(0.015);
  });

  it('derives both words from the hash bits (different hashes, different positions)', () => {
    const a = wordsOf(randomHash());
    const b = wordsOf(randomHash());
    expect(a).not.toEqual(b);
    // 11 base64url characters: "AAAAAAAAAAB" is 1 in the low word.
    expect(wordsOf('AAAAAAAAAAB')).toEqual([0, 1]);
  });

  it('round-trips through bytes with its header', () => {
    const filter = createFilter(1_000);
    const added = Array.from({ length: 500 }, randomHash);
    for (const h of added) filter.add(h);
    const bytes = filter.toBytes();
    expect(bytes.length).toBe(FILTER_HEADER_BYTES + filter.bitCount / 8);
    const loaded = filterFromBytes(bytes);
    expect(loaded).not.toBeNull();
    expect(loaded?.count).toBe(500);
    expect(loaded?.k).toBe(filter.k);
    expect(added.every((h) => loaded?.mightContain(h))).toBe(true);
    // The loaded copy owns its bits: changing the source bytes does not change it.
    bytes.fill(0, FILTER_HEADER_BYTES);
    expect(added.every((h) => loaded?.mightContain(h))).toBe(true);
  });

  it('refuses corrupt or foreign values as a whole', () => {
    const good = createFilter(100).toBytes();
    const corrupt = (edit: (b: Uint8Array) => void): Uint8Array => {
      const b = good.slice();
      edit(b);
      return b;
    };
    expect(filterFromBytes(good)).not.toBeNull();
    expect(filterFromBytes(new Uint8Array(0))).toBeNull();
    expect(filterFromBytes(new TextEncoder().encode('{"not":"a filter"}'))).toBeNull();
    expect(filterFromBytes(good.slice(0, good.length - 1))).toBeNull();
    expect(filterFromBytes(corrupt((b) => (b[0] = 0x00)))).toBeNull();
    expect(filterFromBytes(corrupt((b) => (b[4] = 2)))).toBeNull();
    expect(filterFromBytes(corrupt((b) => (b[5] = 0)))).toBeNull();
    expect(filterFromBytes(corrupt((b) => (b[6] = 1)))).toBeNull();
    expect(filterFromBytes(corrupt((b) => {
          new DataView(b.buffer).setUint32(8, 8 * 1024, true);
        }))).toBeNull();
  });
});
