import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonShapeScanner, describeJsonShapeViolation, type JsonShapeLimits } from './json-shape';

const encoder = new TextEncoder();

function scan(text: string, limits: JsonShapeLimits, splitAt: readonly number[] = []) {
  const bytes = encoder.encode(text);
  const scanner = createJsonShapeScanner(limits);
  let from = 0;
  let result = null;
  for (const cut of [...splitAt.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    result = scanner(bytes.subarray(from, cut));
    from = cut;
  }
  return result;
}

/** What the scanner should find, computed from the parsed value. */
function shape(value: unknown, depth = 0): { depth: number; elements: number } {
  if (value === null || typeof value !== 'object') return { depth, elements: 0 };
  const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value as Record<string, unknown>);
  let out = { depth: depth + 1, elements: children.length };
  for (const child of children) {
    const s = shape(child, depth + 1);
    out = { depth: Math.max(out.depth, s.depth), elements: Math.max(out.elements, s.elements) };
  }
  return out;
}

describe('createJsonShapeScanner', () => {
  const limits = { maxDepth: 3, maxElements: 3 };

  it('accepts a document exactly at both limits', () => {
    expect(scan('{"a":[[1,2,3]],"b":1,"c":2}', limits)).toBeNull();
  });

  it('reports nesting one level past the limit', () => {
    expect(scan('[[[[1]]]]', limits)).toEqual({ kind: 'depth', limit: 3 });
  });

  it('reports an array or object with one element too many', () => {
    expect(scan('[1,2,3,4]', limits)).toEqual({ kind: 'elements', limit: 3 });
    expect(scan('{"a":1,"b":2,"c":3,"d":4}', limits)).toEqual({ kind: 'elements', limit: 3 });
  });

  it('counts elements per container, not per depth level across siblings', () => {
    expect(scan('[[1,2,3],[1,2,3],[1,2]]', limits)).toBeNull();
  });

  it('ignores brackets, commas and escaped quotes inside strings', () => {
    expect(scan('["[[[[,,,,", "\\"[[[[", "\\\\"]', limits)).toBeNull();
  });

  it('carries string and escape state across chunk boundaries', () => {
    const text = '["a\\"[[[[,,,,", 1]';
    for (let cut = 1; cut < text.length; cut++) expect(scan(text, limits, [cut])).toBeNull();
  });

  it('stops at the first violation and keeps reporting it', () => {
    const scanner = createJsonShapeScanner(limits);
    expect(scanner(encoder.encode('[[[['))).toEqual({ kind: 'depth', limit: 3 });
    expect(scanner(encoder.encode(']]]]'))).toEqual({ kind: 'depth', limit: 3 });
  });

  it('finds 2 MB of nested brackets quickly', () => {
    const body = encoder.encode('['.repeat(1_000_000) + ']'.repeat(1_000_000));
    const started = performance.now();
    expect(createJsonShapeScanner({ maxDepth: 32, maxElements: 10_000 })(body)).toEqual({ kind: 'depth', limit: 32 });
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('agrees with the parsed shape of any JSON value, however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (value, maxDepth, maxElements, cuts) => {
          const text = JSON.stringify(value);
          const expected = shape(value);
          const violated = expected.depth > maxDepth || expected.elements > maxElements;
          const found = scan(text, { maxDepth, maxElements }, cuts.map((c) => c % (text.length + 1)));
          expect(found !== null).toBe(violated);
          if (found?.kind === 'depth') expect(expected.depth).toBeGreaterThan(maxDepth);
          if (found?.kind === 'elements') expect(expected.elements).toBeGreaterThan(maxElements);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('describes violations without echoing content', () => {
    expect(describeJsonShapeViolation({ kind: 'depth', limit: 32 })).toBe('JSON nesting is deeper than 32 levels');
    expect(describeJsonShapeViolation({ kind: 'elements', limit: 10 })).toBe('a JSON array or object has more than 10 elements');
  });
});
