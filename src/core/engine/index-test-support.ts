/**
 * Test support for the candidate index tests: small catalogs from compact line item specs, an
 * `EvalContext` from partial fields, and the linear scan the index must agree with. Not used by
 * the engine itself.
 */
import { compileCatalog, type CompiledCatalog } from '../catalog/compile';
import type { Creative, ProfileSnapshot, TargetingExpr } from '../model';
import type { EvalContext } from './expr';
import { formatKey } from './index-conditions';
import type { RequestContext, Slot } from './request-context';

export interface LineItemSpec {
  readonly targeting: TargetingExpr | null;
  /** Format keys of the line item's creatives: `WxH`, `video`, `native`. Default `['300x250']`. */
  readonly formats?: readonly string[];
  readonly advertiserId?: string;
  readonly active?: boolean;
  readonly priority?: number;
  readonly maxCpmMicros?: number;
  /** Default 1,000,000 (or the maximum when that is lower). */
  readonly baseCpmMicros?: number;
}

export interface CatalogOptions {
  /** Holdout percentage of each advertiser's one campaign (default 0). */
  readonly holdoutPct?: Readonly<Record<string, number>>;
}

const ADVERTISERS = ['adv-a', 'adv-b'] as const;

function creative(id: string, advertiserId: string, key: string): Creative {
  const base = { id, advertiserId, clickUrl: 'https://example.com/', categories: [], attributes: [], weight: 1 };
  if (key === 'video') {
    return { ...base, format: 'video', vast: '<VAST/>', mimes: ['video/mp4'], durationSec: 15, protocols: [3], w: 640, h: 360 };
  }
  if (key === 'native') return { ...base, format: 'native', title: 'Title' };
  const [w, h] = key.split('x').map(Number);
  return { ...base, format: 'banner', w: w ?? 1, h: h ?? 1, markup: '<div></div>' };
}

/** Line item `i` is `li-<i>`; positions follow priority, then maximum CPM (defaults keep the spec order). */
export function catalogOf(specs: readonly LineItemSpec[], options: CatalogOptions = {}): CompiledCatalog {
  const creatives: Creative[] = [];
  const lineItems = specs.map((spec, i) => {
    const advertiserId = spec.advertiserId ?? ADVERTISERS[i % ADVERTISERS.length] ?? 'adv-a';
    const creativeIds = (spec.formats ?? ['300x250']).map((key, j) => {
      const id = `cr-${i}-${j}`;
      creatives.push(creative(id, advertiserId, key));
      return id;
    });
    return {
      id: `li-${String(i).padStart(6, '0')}`,
      campaignId: `cmp-${advertiserId}`,
      name: `line item ${i}`,
      status: spec.active === false ? ('paused' as const) : ('active' as const),
      targeting: spec.targeting,
      baseCpmMicros: Math.min(spec.baseCpmMicros ?? 1_000_000, spec.maxCpmMicros ?? 2_000_000),
      maxCpmMicros: spec.maxCpmMicros ?? 2_000_000,
      adjustments: [],
      frequencyCaps: [],
      creativeIds,
      priority: spec.priority ?? 1,
    };
  });
  const advertiserIds = [...new Set([...ADVERTISERS, ...specs.flatMap((s) => (s.advertiserId === undefined ? [] : [s.advertiserId]))])];
  return compileCatalog({
    version: 1,
    currency: 'USD',
    currencyRates: {},
    advertisers: advertiserIds.map((id) => ({ id, name: id, domains: [`${id}.example`], categories: [] })),
    campaigns: advertiserIds.map((id) => ({
      id: `cmp-${id}`,
      advertiserId: id,
      name: id,
      conversion: { eventTypes: ['purchase'], suppressWithinSec: 0 },
      holdoutPct: options.holdoutPct?.[id] ?? 0,
    })),
    lineItems,
    creatives,
    lookalikeModels: [],
  });
}

export interface ContextSpec {
  readonly request?: Partial<RequestContext>;
  readonly slot?: Partial<Slot>;
  readonly nowMs?: number;
  readonly profile?: ProfileSnapshot | null;
  readonly formats?: readonly string[];
  readonly dealIds?: readonly string[];
  readonly keywords?: readonly string[];
  readonly categories?: readonly string[];
  readonly scores?: Readonly<Record<string, number>>;
}

export function contextOf(spec: ContextSpec): EvalContext {
  const scores = spec.scores ?? {};
  return {
    request: {
      geo: {},
      device: {},
      inventory: { kind: 'unknown', categories: [] },
      keywords: [],
      auctionType: 2,
      blockedCategories: [],
      blockedDomains: [],
      blockedApps: [],
      ...spec.request,
    },
    slot: { id: '1', floorMicros: 0, deals: [], privateAuction: false, keyValues: {}, ...spec.slot },
    nowMs: spec.nowMs ?? 1_750_000_000_000,
    profile: spec.profile ?? null,
    formats: new Set(spec.formats ?? ['banner', '300x250']),
    dealIds: new Set(spec.dealIds),
    keywords: new Set(spec.keywords),
    categories: new Set(spec.categories),
    score: (model) => (spec.profile ? (scores[model] ?? null) : null),
  };
}

/** The linear scan: the set the index must contain, by the full predicate (without the creative check for `anyFormat`). */
export function linearMatches(catalog: CompiledCatalog, ctx: EvalContext, options: { anyFormat?: boolean } = {}): number[] {
  return catalog.lineItems
    .filter((li) => li.active && li.targeting(ctx) && (options.anyFormat === true || li.creatives.some((c) => ctx.formats.has(formatKey(c)))))
    .map((li) => li.pos);
}

/** A membership active at `nowMs`. */
export function activeSegments(nowMs: number, keys: readonly string[]): ProfileSnapshot {
  return {
    version: 1,
    updatedAtMs: nowMs,
    segments: Object.fromEntries(keys.map((k) => [k, { sinceMs: nowMs - 1_000, expiresAtMs: nowMs + 1_000 }])),
    conversions: {},
  };
}
