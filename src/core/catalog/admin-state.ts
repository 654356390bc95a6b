/**
 * What the admin layer holds for one catalog version: the document as published (entities as
 * validated JSON) and the archive (entities taken out of the live catalog, kept so they can be
 * read, listed and restored). Both belong to the version, so rolling the catalog back rolls the
 * archive back with it and the two can never disagree.
 */
import { z } from 'zod';
import { SEED_SEGMENT_RULES } from '../segments/seed-rules';
import { jsonObject, type Collection, type JsonObject } from './admin-kinds';

export interface DocJson {
  readonly version: number;
  readonly currency: string;
  readonly currencyRates: Readonly<Record<string, number>>;
  readonly advertisers: readonly JsonObject[];
  readonly campaigns: readonly JsonObject[];
  readonly lineItems: readonly JsonObject[];
  readonly creatives: readonly JsonObject[];
  readonly lookalikeModels: readonly JsonObject[];
  /** Absent: the seed rules are in force (segments/seed-rules.ts); present: exactly these. */
  readonly segmentRules?: readonly JsonObject[];
}

export interface ArchivedEntry {
  readonly entity: JsonObject;
  readonly archivedAtMs: number;
  /** `<collection>/<key>` of the entity whose archiving took this one along (itself if archived directly). */
  readonly archivedWith: string;
}

export type Archive = Readonly<Record<Collection, readonly ArchivedEntry[]>>;

export interface AdminState {
  readonly doc: DocJson;
  readonly archive: Archive;
}

export const EMPTY_ARCHIVE: Archive = { advertisers: [], campaigns: [], lineItems: [], creatives: [], segmentRules: [], lookalikeModels: [] };

/** The catalog a deployment starts from when nothing has been published. */
export function emptyDoc(version = 0): DocJson {
  return { version, currency: 'USD', currencyRates: {}, advertisers: [], campaigns: [], lineItems: [], creatives: [], lookalikeModels: [] };
}

const entities = z.array(jsonObject);

/**
 * Reads the document's envelope without judging the entities: a stored or published document is
 * validated as a catalog separately (parseCatalog); this only gives the admin layer its JSON.
 */
const docJsonSchema = z.object({
  version: z.number().int().nonnegative(),
  currency: z.string(),
  currencyRates: z.record(z.string(), z.number()),
  advertisers: entities,
  campaigns: entities,
  lineItems: entities,
  creatives: entities,
  lookalikeModels: entities.default([]),
  segmentRules: entities.optional(),
});

export function parseDocJson(input: unknown): DocJson | null {
  const r = docJsonSchema.safeParse(input);
  if (!r.success) return null;
  const { segmentRules, ...rest } = r.data;
  return segmentRules === undefined ? rest : { ...rest, segmentRules };
}

const archivedList = z.array(z.object({ entity: jsonObject, archivedAtMs: z.number(), archivedWith: z.string() })).default([]);
const archiveSchema = z.object({
  advertisers: archivedList,
  campaigns: archivedList,
  lineItems: archivedList,
  creatives: archivedList,
  segmentRules: archivedList,
  lookalikeModels: archivedList,
} satisfies Record<Collection, typeof archivedList>);

export function parseArchive(input: unknown): Archive | null {
  const r = archiveSchema.safeParse(input);
  return r.success ? r.data : null;
}

const SEED_RULES_JSON: readonly JsonObject[] = SEED_SEGMENT_RULES.map((r) => jsonObject.parse(r));

/** The entities of a collection as they are in force (segment rules fall back to the seed set). */
export function liveEntities(doc: DocJson, collection: Collection): readonly JsonObject[] {
  if (collection === 'segmentRules') return doc.segmentRules ?? SEED_RULES_JSON;
  return doc[collection];
}

/** A copy of the document with one collection replaced (segment rules become explicit). */
export function withCollection(doc: DocJson, collection: Collection, list: readonly JsonObject[]): DocJson {
  return { ...doc, [collection]: list };
}
