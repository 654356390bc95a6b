/**
 * Targeting expressions compiled once per catalog version into predicates. Everything that does
 * not depend on the request is done here: lists become sets, strings are case-folded, and
 * segment names become the profile keys of the line item's own advertiser, so evaluating a leaf
 * per request is a lookup.
 */
import type { ProfileSnapshot, TargetingExpr } from '../model';
import { segmentKey } from '../segments/segment-key';
import type { RequestContext, Slot } from './request-context';

/** Everything a predicate may read about one impression of one request. Built once per slot. */
export interface EvalContext {
  readonly request: RequestContext;
  readonly slot: Slot;
  readonly nowMs: number;
  /** `null` when behavioural use is not allowed or there is no profile. */
  readonly profile: ProfileSnapshot | null;
  /** `banner`, `video`, `native` and `WxH` for each accepted banner size. */
  readonly formats: ReadonlySet<string>;
  readonly dealIds: ReadonlySet<string>;
  readonly keywords: ReadonlySet<string>;
  readonly categories: ReadonlySet<string>;
  /** Lookalike score in [0, 1] under a model, memoised per request; `null` without a profile. */
  readonly score: (modelId: string) => number | null;
}

export type Predicate = (ctx: EvalContext) => boolean;

const always: Predicate = () => true;
const never: Predicate = () => false;

/** `null` targeting matches everyone. */
export function compileTargeting(expr: TargetingExpr | null, advertiserId: string): Predicate {
  return expr === null ? always : compileExpr(expr, advertiserId);
}

export function compileExpr(expr: TargetingExpr, advertiserId: string): Predicate {
  if ('all' in expr) {
    const parts = expr.all.map((e) => compileExpr(e, advertiserId));
    return (ctx) => parts.every((p) => p(ctx));
  }
  if ('any' in expr) {
    const parts = expr.any.map((e) => compileExpr(e, advertiserId));
    return (ctx) => parts.some((p) => p(ctx));
  }
  if ('not' in expr) {
    const inner = compileExpr(expr.not, advertiserId);
    return (ctx) => !inner(ctx);
  }
  if ('segment' in expr) {
    const key = segmentKey(expr.segment, advertiserId);
    return (ctx) => isMember(ctx.profile, key, ctx.nowMs);
  }
  if ('geo' in expr) return compileGeo(expr.geo);
  if ('device' in expr) {
    const type = setOrNull(expr.device.type);
    const os = lowerSetOrNull(expr.device.os);
    const make = lowerSetOrNull(expr.device.make);
    return ({ request: { device } }) =>
      within(type, device.type) && within(os, device.os) && within(make, device.make);
  }
  if ('daypart' in expr) return compileDaypart(expr.daypart.hours, expr.daypart.weekdays, expr.daypart.utcOffsetMinutes);
  if ('site' in expr || 'app' in expr) {
    const kind = 'site' in expr ? 'site' : 'app';
    const t = 'site' in expr ? expr.site : expr.app;
    const domains = t.domain?.map((d) => d.toLowerCase()) ?? null;
    const bundles = lowerSetOrNull(t.bundle);
    const categories = t.category ?? null;
    const publishers = setOrNull(t.publisher);
    return ({ request: { inventory }, categories: cats }) =>
      inventory.kind === kind &&
      (domains === null || (inventory.domain !== undefined && domains.some((d) => domainMatches(inventory.domain ?? '', d)))) &&
      within(bundles, inventory.bundle?.toLowerCase()) &&
      (categories === null || categories.some((c) => cats.has(c))) &&
      within(publishers, inventory.publisherId);
  }
  if ('keywords' in expr) {
    const words = expr.keywords.map((k) => k.toLowerCase());
    return (ctx) => words.some((w) => ctx.keywords.has(w));
  }
  if ('keyValues' in expr) {
    const wanted = Object.entries(expr.keyValues);
    // Own keys only: a targeted key such as `constructor` must not read the object's prototype.
    return ({ slot }) => wanted.every(([k, values]) => Object.hasOwn(slot.keyValues, k) && (slot.keyValues[k]?.some((v) => values.includes(v)) ?? false));
  }
  if ('deal' in expr) {
    const deals = expr.deal;
    return (ctx) => deals.some((d) => ctx.dealIds.has(d));
  }
  if ('score' in expr) {
    const { model, atLeast } = expr.score;
    return (ctx) => {
      const s = ctx.score(model);
      return s !== null && s >= atLeast;
    };
  }
  if ('format' in expr) {
    const formats = expr.format;
    return (ctx) => formats.some((f) => ctx.formats.has(f));
  }
  return never;
}

export function isMember(profile: ProfileSnapshot | null, key: string, nowMs: number): boolean {
  const m = profile?.segments[key];
  return m !== undefined && m.sinceMs <= nowMs && nowMs < m.expiresAtMs;
}

function compileGeo(geo: { country?: readonly string[]; region?: readonly string[]; metro?: readonly string[]; postalPrefix?: readonly string[] }): Predicate {
  const country = upperSetOrNull(geo.country);
  const region = upperSetOrNull(geo.region);
  const metro = setOrNull(geo.metro);
  const postal = geo.postalPrefix?.map((p) => p.toUpperCase().replaceAll(' ', '')) ?? null;
  return ({ request: { geo: g } }) =>
    within(country, g.country) &&
    within(region, g.region) &&
    within(metro, g.metro) &&
    (postal === null || (g.postal !== undefined && postal.some((p) => (g.postal ?? '').startsWith(p))));
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function compileDaypart(hours: readonly number[] | undefined, weekdays: readonly number[] | undefined, fixedOffset: number | undefined): Predicate {
  const hourSet = setOrNull(hours);
  const daySet = setOrNull(weekdays);
  return ({ nowMs, request }) => {
    const offset = fixedOffset ?? request.geo.utcOffsetMinutes;
    // An unknown local time is not "any time": the line item asked for specific hours.
    if (offset === undefined) return false;
    const local = nowMs + offset * 60_000;
    const hour = mod(Math.floor(local / HOUR_MS), 24);
    // 1970-01-01 was a Thursday (day 4).
    const weekday = mod(Math.floor(local / DAY_MS) + 4, 7);
    return within(hourSet, hour) && within(daySet, weekday);
  };
}

/** `example.com` matches itself and its subdomains, never `badexample.com`. */
export function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(domain) && host.charCodeAt(host.length - domain.length - 1) === 46 /* . */);
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

function within<T>(set: ReadonlySet<T> | null, value: T | undefined): boolean {
  return set === null || (value !== undefined && set.has(value));
}

function setOrNull<T>(list: readonly T[] | undefined): ReadonlySet<T> | null {
  return list === undefined ? null : new Set(list);
}

function lowerSetOrNull(list: readonly string[] | undefined): ReadonlySet<string> | null {
  return list === undefined ? null : new Set(list.map((s) => s.toLowerCase()));
}

function upperSetOrNull(list: readonly string[] | undefined): ReadonlySet<string> | null {
  return list === undefined ? null : new Set(list.map((s) => s.toUpperCase()));
}

/** Deal ids the expression mentions outside a `not`: where a matching bid may be a deal bid. */
export function dealIdsOf(expr: TargetingExpr | null): string[] {
  if (expr === null) return [];
  if ('all' in expr) return expr.all.flatMap(dealIdsOf);
  if ('any' in expr) return expr.any.flatMap(dealIdsOf);
  if ('deal' in expr) return [...expr.deal];
  return [];
}
