/**
 * The candidate index: which line items may serve an impression, found without evaluating every
 * line item's targeting. Built once per catalog version from each line item's necessary
 * conditions (index-conditions.ts): per dimension, a posting per value and the set of line items
 * that do not constrain that dimension. Per impression: for each dimension, OR the postings of
 * the request's values into the unconstrained set, and AND that across dimensions. The cost is
 * a few passes over one bit per line item plus the postings the request touches, instead of a
 * predicate call per line item.
 */
import type { CompiledLineItem } from '../catalog/compile';
import { isMember, type EvalContext } from './expr';
import { lineItemConditions, splitKeyValuePair, type DIMENSIONS, type Dimension, type DimensionValue } from './index-conditions';
import { andWithUnion, bitsetOf, nonZeroRange, positionsOf, postingOf, scratchFor, wordsFor, type Posting, type Scratch } from './index-postings';

interface DimensionIndex {
  readonly dim: Dimension;
  /** Line items without a condition on this dimension. */
  readonly unconstrained: Uint32Array;
  readonly postings: ReadonlyMap<DimensionValue, Posting>;
  /** The same postings as a list, for dimensions with few values: walking them beats walking the request's set. */
  readonly entries: readonly (readonly [DimensionValue, Posting])[];
  /** `keyValue`: postings by key, then value (the request's pairs are looked up without building strings). */
  readonly byKey: ReadonlyMap<string, ReadonlyMap<string, Posting>>;
  /** `postal`: the prefix lengths line items name, so a request tries only those. */
  readonly prefixLengths: readonly number[];
}

export interface CandidateIndex {
  readonly lineItems: number;
  /** Active line items whose targeting can hold at all (with or without a creative). */
  readonly eligible: Uint32Array;
  /** The words of `eligible` with a bit set: [eligibleLo, eligibleHi). */
  readonly eligibleLo: number;
  readonly eligibleHi: number;
  /** Only dimensions some eligible line item constrains; the most constrained first. */
  readonly dimensions: readonly DimensionIndex[];
  readonly scratch: Scratch;
}

export function buildCandidateIndex(lineItems: readonly CompiledLineItem[]): CandidateIndex {
  const words = wordsFor(lineItems.length);
  const eligible: number[] = [];
  /** Per dimension: the line items constraining it, and the positions under each value. */
  const byDim = new Map<Dimension, { constrained: number[]; values: Map<DimensionValue, number[]> }>();
  const post = (dim: Dimension, values: Iterable<DimensionValue>, pos: number): void => {
    let acc = byDim.get(dim);
    if (acc === undefined) byDim.set(dim, (acc = { constrained: [], values: new Map() }));
    acc.constrained.push(pos);
    for (const v of values) {
      const list = acc.values.get(v);
      if (list) list.push(pos);
      else acc.values.set(v, [pos]);
    }
  };
  for (const li of lineItems) {
    if (!li.active) continue;
    const conditions = lineItemConditions(li.item.targeting, li.advertiser.id, li.creatives);
    if (conditions === null) continue;
    eligible.push(li.pos);
    post('format', conditions.formats, li.pos);
    for (const [dim, values] of conditions.targeting) post(dim, values, li.pos);
  }
  const eligibleBits = bitsetOf(eligible, words);

  const dimensions: (DimensionIndex & { constrained: number })[] = [];
  for (const [dim, acc] of byDim) {
    const unconstrained = eligibleBits.slice();
    for (const pos of acc.constrained) unconstrained[pos >>> 5] = (unconstrained[pos >>> 5] ?? 0) & ~(1 << (pos & 31));
    const postings = new Map([...acc.values].map(([v, positions]) => [v, postingOf(sortedAscending(positions), words)] as const));
    dimensions.push({
      dim,
      constrained: acc.constrained.length,
      unconstrained,
      postings,
      entries: [...postings],
      byKey: dim === 'keyValue' ? keyValueTree(postings) : new Map(),
      prefixLengths: dim === 'postal' ? [...new Set([...postings.keys()].map((v) => String(v).length))].sort((a, b) => a - b) : [],
    });
  }
  dimensions.sort((a, b) => b.constrained - a.constrained);
  const [lo, hi] = nonZeroRange(eligibleBits);
  return {
    lineItems: lineItems.length,
    eligible: eligibleBits,
    eligibleLo: lo,
    eligibleHi: hi,
    dimensions,
    scratch: scratchFor(words),
  };
}

export interface CandidateOptions {
  /**
   * Leave out the creative format condition: every active line item whose targeting may hold,
   * whatever its creatives (none at all included). For explaining a no-bid, not for serving.
   */
  readonly anyFormat?: boolean;
}

/**
 * Positions (ascending, i.e. auction order) of the line items that may serve this impression:
 * a superset of every active line item whose targeting holds and which has a creative whose
 * format key (`WxH` for banners, `video`, `native`) is among `ctx.formats`. A fresh array.
 */
export function candidates(index: CandidateIndex, ctx: EvalContext, options?: CandidateOptions): readonly number[] {
  const s = index.scratch;
  const anyFormat = options?.anyFormat === true;
  s.lo = index.eligibleLo;
  s.hi = index.eligibleHi;
  // The first dimension reads the eligible set; later ones narrow `acc` in place.
  let source = index.eligible;
  for (const d of index.dimensions) {
    if (s.lo >= s.hi) return [];
    if (anyFormat && d.dim === 'format') continue;
    s.hitCount = 0;
    collectHits(d, ctx, s);
    andWithUnion(s, source, d.unconstrained);
    source = s.acc;
  }
  if (source === index.eligible) s.acc.set(index.eligible);
  return s.lo >= s.hi ? [] : positionsOf(s.acc, s.lo, s.hi);
}

function hit(s: Scratch, p: Posting | undefined): void {
  if (p !== undefined) s.hits[s.hitCount++] = p;
}

/** The postings of the request's values on one dimension, read exactly as expr.ts reads them. */
function collectHits(d: DimensionIndex, ctx: EvalContext, s: Scratch): void {
  switch (d.dim) {
    case 'format':
    case 'formatTarget':
      hitsFromSet(d, ctx.formats, s);
      return;
    case 'segment':
      segmentHits(d, ctx, s);
      return;
    case 'postal':
      postalHits(d, ctx.request.geo.postal, s);
      return;
    case 'domain':
      domainHits(d, ctx.request.inventory.domain, s);
      return;
    case 'category':
      hitsFromSet(d, ctx.categories, s);
      return;
    case 'keyword':
      hitsFromSet(d, ctx.keywords, s);
      return;
    case 'keyValue':
      keyValueHits(d, ctx.slot.keyValues, s);
      return;
    case 'deal':
      hitsFromSet(d, ctx.dealIds, s);
      return;
    default: {
      const v = singleValue(d.dim, ctx);
      if (v !== undefined) hit(s, d.postings.get(v));
    }
  }
}

type SingleDimension = { [D in Dimension]: (typeof DIMENSIONS)[D] extends 'single' ? D : never }[Dimension];

function singleValue(dim: SingleDimension, { request: { geo, device, inventory } }: EvalContext): DimensionValue | undefined {
  switch (dim) {
    case 'country':
      return geo.country;
    case 'region':
      return geo.region;
    case 'metro':
      return geo.metro;
    case 'deviceType':
      return device.type;
    case 'os':
      return device.os;
    case 'make':
      return device.make;
    case 'inventoryKind':
      return inventory.kind;
    case 'bundle':
      return inventory.bundle?.toLowerCase();
    case 'publisher':
      return inventory.publisherId;
  }
}

function hitsFromSet(d: DimensionIndex, values: ReadonlySet<DimensionValue>, s: Scratch): void {
  if (values.size === 0) return;
  // Walking a small dimension's values allocates nothing; walking the request's set allocates an iterator.
  if (d.entries.length <= Math.max(32, values.size * 4)) {
    for (const [v, p] of d.entries) if (values.has(v)) hit(s, p);
    return;
  }
  for (const v of values) hit(s, d.postings.get(v));
}

function segmentHits(d: DimensionIndex, ctx: EvalContext, s: Scratch): void {
  const segments = ctx.profile?.segments;
  if (segments === undefined) return;
  for (const key in segments) {
    const p = d.postings.get(key);
    if (p !== undefined && isMember(ctx.profile, key, ctx.nowMs)) hit(s, p);
  }
}

function postalHits(d: DimensionIndex, postal: string | undefined, s: Scratch): void {
  if (postal === undefined) return;
  for (const length of d.prefixLengths) {
    if (length > postal.length) return;
    hit(s, d.postings.get(postal.slice(0, length)));
  }
}

/** `example.com` targets its subdomains too (`domainMatches`): the host and each parent domain are request values. */
function domainHits(d: DimensionIndex, host: string | undefined, s: Scratch): void {
  if (host === undefined) return;
  hit(s, d.postings.get(host));
  for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) hit(s, d.postings.get(host.slice(dot + 1)));
}

function keyValueHits(d: DimensionIndex, keyValues: Readonly<Record<string, readonly string[]>>, s: Scratch): void {
  for (const key in keyValues) {
    const byValue = d.byKey.get(key);
    const values = Object.hasOwn(keyValues, key) ? keyValues[key] : undefined;
    if (byValue === undefined || values === undefined) continue;
    for (const v of values) hit(s, byValue.get(v));
  }
}

function keyValueTree(postings: ReadonlyMap<DimensionValue, Posting>): Map<string, Map<string, Posting>> {
  const tree = new Map<string, Map<string, Posting>>();
  for (const [pair, posting] of postings) {
    const [key, value] = splitKeyValuePair(String(pair));
    const byValue = tree.get(key) ?? new Map<string, Posting>();
    byValue.set(value, posting);
    tree.set(key, byValue);
  }
  return tree;
}

function sortedAscending(positions: number[]): number[] {
  // Line items arrive in position order already; sorting keeps the index right for any input order.
  return positions.sort((a, b) => a - b);
}
