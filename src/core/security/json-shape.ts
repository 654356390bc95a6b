/**
 * A byte scan of a JSON document's shape, run on each chunk as the body streams in and before
 * `JSON.parse` sees it. V8 spends hundreds of milliseconds of CPU on a few MB of nested brackets,
 * and a validator walking a 60,000-element array is not free either; counting brackets and commas
 * is a tight loop over bytes that costs a small fraction of parsing.
 *
 * The scan does not validate JSON (the parser does that next); it only has to be right about
 * brackets and commas outside strings. Bytes of multi-byte UTF-8 characters are all >= 0x80, so
 * they never look like ASCII punctuation, and a backslash inside a string escapes exactly one
 * following byte of interest (`\"` and `\\`; `\u` escapes are ASCII hex digits).
 */

export interface JsonShapeLimits {
  /** Most nested arrays/objects; the top-level container is depth 1. */
  readonly maxDepth: number;
  /** Most elements in any one array, or members in any one object. */
  readonly maxElements: number;
}

export type JsonShapeViolation =
  | { readonly kind: 'depth'; readonly limit: number }
  | { readonly kind: 'elements'; readonly limit: number };

/** Feeds chunks in order; returns the first violation (and keeps returning it), or null so far. */
export type JsonShapeScanner = (chunk: Uint8Array) => JsonShapeViolation | null;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

export function createJsonShapeScanner(limits: JsonShapeLimits): JsonShapeScanner {
  const { maxDepth, maxElements } = limits;
  // Commas seen so far in the open container at each depth (index 0 is outside any container).
  const commas = new Uint32Array(maxDepth + 1);
  let depth = 0;
  let inString = false;
  let escaped = false;
  let violation: JsonShapeViolation | null = null;

  return function scanJsonShape(chunk: Uint8Array): JsonShapeViolation | null {
    if (violation) return violation;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i] ?? 0;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        continue;
      }
      switch (b) {
        case QUOTE:
          inString = true;
          break;
        case OPEN_ARRAY:
        case OPEN_OBJECT:
          if (depth === maxDepth) return (violation = { kind: 'depth', limit: maxDepth });
          depth++;
          commas[depth] = 0;
          break;
        case CLOSE_ARRAY:
        case CLOSE_OBJECT:
          // More closers than openers is malformed JSON: the parser reports it, not us.
          if (depth > 0) depth--;
          break;
        case COMMA:
          if (depth > 0) {
            const seen = (commas[depth] ?? 0) + 1;
            commas[depth] = seen;
            // n commas separate n + 1 elements.
            if (seen >= maxElements) return (violation = { kind: 'elements', limit: maxElements });
          }
          break;
      }
    }
    return null;
  };
}

/** A log-safe description of a violation for the error body. */
export function describeJsonShapeViolation(v: JsonShapeViolation): string {
  return v.kind === 'depth'
    ? `JSON nesting is deeper than ${v.limit} levels`
    : `a JSON array or object has more than ${v.limit} elements`;
}
