/**
 * The admin API's own request and response shapes (entity bodies are the catalog's schemas, in
 * admin-kinds.ts). The routes parse with these, the OpenAPI document is generated from them, and
 * the tests check every response against them, so the three cannot drift apart.
 */
import { z } from 'zod';
import { COLLECTIONS, type KindSpec } from './admin-kinds';

export const fieldIssueSchema = z.object({ path: z.string(), message: z.string() });

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    status: z.number().int(),
    message: z.string(),
    path: z.string().optional(),
    issues: z.array(fieldIssueSchema).optional(),
  }),
});

export const archivedFilterSchema = z.enum(['exclude', 'include', 'only']).default('exclude');

const envelope = (entity: z.ZodType) =>
  z.object({
    data: entity,
    /** Send back as `If-Match` to change the entity. */
    etag: z.string(),
    archived: z.boolean(),
    archivedAtMs: z.number().int().optional(),
  });

export function entityResponseSchema(spec: KindSpec) {
  return envelope(spec.schema).extend({ catalogVersion: z.number().int() });
}

export function writeResponseSchema(spec: KindSpec) {
  return entityResponseSchema(spec).extend({
    /** Whether the new version reached KV; false means the object keeps retrying in the background. */
    published: z.boolean(),
    /** Accepted, but worth a look (a creative no line item uses yet, a problem older than this change). */
    warnings: z.array(fieldIssueSchema),
  });
}

export function listResponseSchema(spec: KindSpec) {
  return z.object({ catalogVersion: z.number().int(), items: z.array(envelope(spec.schema)) });
}

const changeSchema = z.union([
  z.object({ op: z.literal('import'), source: z.enum(['kv', 'demo', 'empty']) }),
  z.object({
    op: z.enum(['create', 'replace', 'patch', 'pause', 'resume', 'archive', 'restore']),
    collection: z.enum(COLLECTIONS),
    key: z.string(),
    along: z.array(z.string()),
  }),
]);

export const versionInfoSchema = z.object({
  version: z.number().int(),
  parent: z.number().int().nullable(),
  createdAtMs: z.number().int(),
  published: z.boolean(),
  origin: changeSchema,
  by: z.string().nullable(),
});

export const historyEntrySchema = z.object({
  atMs: z.number().int(),
  action: z.enum(['publish', 'rollback', 'import']),
  version: z.number().int(),
  from: z.number().int().nullable(),
  by: z.string().nullable(),
});

export const catalogInfoSchema = z.object({
  /** The version admin writes start from and the edges are told to serve. */
  current: z.number().int(),
  /** Whether `current` is written to KV yet. */
  published: z.boolean(),
  /** What `catalog:current` in KV says, as read by the admin object (edges may lag it by KV's propagation). */
  kvCurrent: z.number().int().nullable(),
  etag: z.string(),
  /** Newest first. */
  versions: z.array(versionInfoSchema),
  /** Publications and rollbacks, newest first. */
  history: z.array(historyEntrySchema),
});

export const rollbackBodySchema = z
  .strictObject({
    /** Omit to undo the change that made the current version (go to its parent). */
    version: z.number().int().nonnegative().optional(),
  })
  .default({});

export const rollbackResponseSchema = z.object({
  current: z.number().int(),
  previous: z.number().int(),
  changed: z.boolean(),
  published: z.boolean(),
});

export const historyQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) });
