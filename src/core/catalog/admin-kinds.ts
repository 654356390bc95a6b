/**
 * The entity kinds the admin API manages, as one table: where each lives in the catalog
 * document, its URL segment, the schema one entity is validated with (the catalog's own element
 * schema, so the admin API can never accept what the catalog refuses), how it is keyed, which
 * entity owns it (archiving cascades down that relation) and whether it has a pausable status.
 * Routes, operations and the OpenAPI document are all generated from this table.
 */
import { z } from 'zod';
import { formatPath, type FieldIssue } from '../errors';
import { isJsonObject } from '../openrtb/primitives';
import { segmentRuleSchema } from '../segments/rule-schema';
import { catalogSchema } from './catalog-schema';

export const COLLECTIONS = ['advertisers', 'campaigns', 'lineItems', 'creatives', 'segmentRules', 'lookalikeModels'] as const;
export type Collection = (typeof COLLECTIONS)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** An entity as the admin layer handles it: validated JSON, typed again when the whole document is parsed. */
export type JsonObject = { [key: string]: JsonValue };
export const jsonObject: z.ZodType<JsonObject> = z.record(z.string(), z.json());

export interface KindSpec {
  readonly collection: Collection;
  /** URL segment under `/v1/admin/`. */
  readonly path: string;
  /** For messages and the OpenAPI document. */
  readonly noun: string;
  /** Component name in the OpenAPI document. */
  readonly schemaName: string;
  /** One entity, exactly as the catalog validates it. */
  readonly schema: z.ZodType;
  /** Has `status: active | paused`: pause and resume apply. */
  readonly pausable: boolean;
  /** The entity this one belongs to: archiving the owner archives it too; lists filter by it. */
  readonly owner?: { readonly collection: Collection; readonly field: string };
}

const shape = catalogSchema.shape;

export const KINDS: Readonly<Record<Collection, KindSpec>> = {
  advertisers: { collection: 'advertisers', path: 'advertisers', noun: 'advertiser', schemaName: 'Advertiser', schema: shape.advertisers.element, pausable: true },
  campaigns: {
    collection: 'campaigns',
    path: 'campaigns',
    noun: 'campaign',
    schemaName: 'Campaign',
    schema: shape.campaigns.element,
    pausable: true,
    owner: { collection: 'advertisers', field: 'advertiserId' },
  },
  lineItems: {
    collection: 'lineItems',
    path: 'line-items',
    noun: 'line item',
    schemaName: 'LineItem',
    schema: shape.lineItems.element,
    pausable: true,
    owner: { collection: 'campaigns', field: 'campaignId' },
  },
  creatives: {
    collection: 'creatives',
    path: 'creatives',
    noun: 'creative',
    schemaName: 'Creative',
    schema: shape.creatives.element,
    pausable: true,
    owner: { collection: 'advertisers', field: 'advertiserId' },
  },
  segmentRules: {
    collection: 'segmentRules',
    path: 'segment-rules',
    noun: 'segment rule',
    schemaName: 'SegmentRule',
    schema: segmentRuleSchema,
    pausable: true,
    owner: { collection: 'advertisers', field: 'advertiserId' },
  },
  lookalikeModels: {
    collection: 'lookalikeModels',
    path: 'lookalike-models',
    noun: 'lookalike model',
    schemaName: 'LookalikeModel',
    schema: shape.lookalikeModels.unwrap().element,
    pausable: true,
    owner: { collection: 'advertisers', field: 'advertiserId' },
  },
};

export const KIND_LIST: readonly KindSpec[] = COLLECTIONS.map((c) => KINDS[c]);

/**
 * The key an entity is addressed by. Segment rule ids are unique per advertiser scope (the same
 * id may exist globally and for one advertiser), so a scoped rule is `<id>@<advertiserId>`; `@`
 * cannot occur in ids.
 */
export function entityKey(collection: Collection, entity: JsonObject): string {
  const id = typeof entity.id === 'string' ? entity.id : '';
  if (collection === 'segmentRules' && typeof entity.advertiserId === 'string') return `${id}@${entity.advertiserId}`;
  return id;
}

/** A reference to one entity in messages, change logs and cascades: `lineItems/li-1`. */
export const entityRef = (collection: Collection, key: string): string => `${collection}/${key}`;

/**
 * Top-level fields the entity schema does not know. The catalog's schemas strip unknown fields
 * (old documents stay readable when fields are added), but an author who misspells
 * `maxCpmMicros` must hear about it rather than see it silently dropped.
 */
export function unknownFieldIssues(spec: KindSpec, body: unknown): FieldIssue[] {
  if (!isJsonObject(body)) return [];
  const known = knownFields(spec.schema, body);
  if (known === null) return [];
  return Object.keys(body)
    .filter((k) => !known.has(k))
    .map((k) => ({ path: formatPath([k]), message: `unknown field for a ${spec.noun}` }));
}

function knownFields(schema: z.ZodType, body: Readonly<Record<string, unknown>>): ReadonlySet<string> | null {
  if (schema instanceof z.ZodObject) return new Set(Object.keys(schema.shape));
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const tag = schema.def.discriminator;
    const value = body[tag];
    for (const option of schema.options) {
      if (option instanceof z.ZodObject) {
        const literal: unknown = option.shape[tag];
        if (literal instanceof z.ZodLiteral && [...literal.values].some((v) => v === value)) return new Set(Object.keys(option.shape));
      }
    }
  }
  // An unknown discriminator is the schema's own error to report.
  return null;
}
