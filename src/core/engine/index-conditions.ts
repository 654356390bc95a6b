/**
 * Necessary conditions of a line item, for the candidate index: from its targeting expression
 * and its creatives, per request attribute ("dimension"), the set of values of which the request
 * must carry at least one for the line item to possibly serve. The index may only ever be too
 * generous, never too strict, so every rule here must hold for the predicate in expr.ts exactly
 * as written there (same case folding, same "absent value fails" behaviour).
 */
import type { Creative, TargetingExpr } from '../model';
import { segmentKey } from '../segments/segment-key';

/**
 * `single`: the request carries at most one value (its country, its device type), so two
 * conditions on it must both hold for that one value and can be intersected. `multi`: the
 * request carries a set (segments, keywords, a host and its parent domains), and two conditions
 * may be met by different values, so only one of them can be kept.
 */
export const DIMENSIONS = {
  /** Format keys of the line item's creatives (`WxH`, `video`, `native`) against `ctx.formats`. */
  format: 'multi',
  /** The `format` targeting leaf against `ctx.formats`. */
  formatTarget: 'multi',
  segment: 'multi',
  country: 'single',
  region: 'single',
  metro: 'single',
  postal: 'multi',
  deviceType: 'single',
  os: 'single',
  make: 'single',
  inventoryKind: 'single',
  domain: 'multi',
  bundle: 'single',
  publisher: 'single',
  category: 'multi',
  keyword: 'multi',
  keyValue: 'multi',
  deal: 'multi',
} as const;

export type Dimension = keyof typeof DIMENSIONS;
export type DimensionValue = string | number;

/** Every entry must hold. An empty map: nothing is known (matches everyone as far as the index can tell). */
export type Conditions = ReadonlyMap<Dimension, ReadonlySet<DimensionValue>>;

/** `null` = no request can satisfy it. */
export type MaybeConditions = Conditions | null;

const NONE: Conditions = new Map();

export interface LineItemConditions {
  readonly targeting: Conditions;
  /** "Some creative fits the impression": the `format` dimension, empty for a line item without creatives. */
  readonly formats: ReadonlySet<string>;
}

/**
 * Conditions for the whole line item; `null` only when its targeting can never hold. A line item
 * without creatives keeps an empty format set instead, so a query that ignores formats (to find
 * out why nothing fits) still finds it.
 */
export function lineItemConditions(targeting: TargetingExpr | null, advertiserId: string, creatives: readonly Creative[]): LineItemConditions | null {
  const conditions = targeting === null ? NONE : targetingConditions(targeting, advertiserId);
  if (conditions === null) return null;
  const formats = new Set<string>();
  for (const c of creatives) formats.add(formatKey(c));
  return { targeting: conditions, formats };
}

export function formatKey(c: Creative): string {
  return c.format === 'banner' ? `${c.w}x${c.h}` : c.format;
}

/**
 * `keyValue` values hold the key and the value; the key's length first keeps the pair
 * unambiguous whatever characters either contains.
 */
export function keyValuePair(key: string, value: string): string {
  return `${key.length}:${key}${value}`;
}

export function splitKeyValuePair(pair: string): readonly [string, string] {
  const colon = pair.indexOf(':');
  const keyLength = Number(pair.slice(0, colon));
  const start = colon + 1;
  return [pair.slice(start, start + keyLength), pair.slice(start + keyLength)];
}

export function targetingConditions(expr: TargetingExpr, advertiserId: string): MaybeConditions {
  if ('all' in expr) return allOf(expr.all.map((e) => targetingConditions(e, advertiserId)));
  if ('any' in expr) return anyOf(expr.any.map((e) => targetingConditions(e, advertiserId)));
  if ('not' in expr) {
    // not(not(x)) is x; any other negation tells nothing positive about the request.
    return 'not' in expr.not ? targetingConditions(expr.not.not, advertiserId) : NONE;
  }
  if ('segment' in expr) return leaf([['segment', [segmentKey(expr.segment, advertiserId)]]]);
  if ('geo' in expr) {
    const { country, region, metro, postalPrefix } = expr.geo;
    return leaf([
      ['country', country?.map(upper)],
      ['region', region?.map(upper)],
      ['metro', metro],
      ['postal', postalPrefix?.map((p) => p.toUpperCase().replaceAll(' ', ''))],
    ]);
  }
  if ('device' in expr) {
    const { type, os, make } = expr.device;
    return leaf([
      ['deviceType', type],
      ['os', os?.map(lower)],
      ['make', make?.map(lower)],
    ]);
  }
  if ('site' in expr || 'app' in expr) {
    const kind = 'site' in expr ? 'site' : 'app';
    const t = 'site' in expr ? expr.site : expr.app;
    return leaf([
      ['inventoryKind', [kind]],
      ['domain', t.domain?.map(lower)],
      ['bundle', t.bundle?.map(lower)],
      ['category', t.category],
      ['publisher', t.publisher],
    ]);
  }
  if ('keywords' in expr) return leaf([['keyword', expr.keywords.map(lower)]]);
  if ('keyValues' in expr) return keyValuesConditions(expr.keyValues);
  if ('deal' in expr) return leaf([['deal', expr.deal]]);
  if ('format' in expr) return leaf([['formatTarget', expr.format]]);
  // daypart and score depend on time and the lookalike model: no condition on an indexed attribute.
  return NONE;
}

/** Every key must have one of its values: each key is a condition on the same (multi) dimension. */
function keyValuesConditions(keyValues: Readonly<Record<string, readonly string[]>>): MaybeConditions {
  return allOf(Object.entries(keyValues).map(([key, values]) => leaf([['keyValue', values.map((v) => keyValuePair(key, v))]])));
}

/** The fields of one leaf, all of which must hold; an absent field is no condition, an empty list can never hold. */
function leaf(fields: readonly (readonly [Dimension, readonly DimensionValue[] | undefined])[]): MaybeConditions {
  const out = new Map<Dimension, ReadonlySet<DimensionValue>>();
  for (const [dim, values] of fields) {
    if (values !== undefined) out.set(dim, new Set(values));
  }
  return checked(out);
}

function checked(c: Conditions): MaybeConditions {
  for (const values of c.values()) if (values.size === 0) return null;
  return c;
}

export function allOf(parts: readonly MaybeConditions[]): MaybeConditions {
  const out = new Map<Dimension, ReadonlySet<DimensionValue>>();
  for (const part of parts) {
    if (part === null) return null;
    for (const [dim, values] of part) {
      const prev = out.get(dim);
      if (prev === undefined) {
        out.set(dim, values);
      } else if (DIMENSIONS[dim] === 'single') {
        const both = new Set([...prev].filter((v) => values.has(v)));
        if (both.size === 0) return null;
        out.set(dim, both);
      } else if (values.size < prev.size) {
        // Both must hold but may be met by different request values: keep the narrower one.
        out.set(dim, values);
      }
    }
  }
  return out;
}

/** A dimension is constrained only if every satisfiable branch constrains it; the values are the union. */
export function anyOf(parts: readonly MaybeConditions[]): MaybeConditions {
  const live = parts.filter((p): p is Conditions => p !== null);
  const [first, ...rest] = live;
  if (first === undefined) return null;
  const out = new Map<Dimension, ReadonlySet<DimensionValue>>();
  for (const [dim, values] of first) {
    const union = new Set(values);
    let everyBranch = true;
    for (const other of rest) {
      const more = other.get(dim);
      if (more === undefined) {
        everyBranch = false;
        break;
      }
      for (const v of more) union.add(v);
    }
    if (everyBranch) out.set(dim, union);
  }
  return out;
}

function upper(s: string): string {
  return s.toUpperCase();
}

function lower(s: string): string {
  return s.toLowerCase();
}
