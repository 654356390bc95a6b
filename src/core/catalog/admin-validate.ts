/**
 * Validates a candidate admin state as a whole, the way the hot path will read it: the catalog
 * schema with its reference checks (parseCatalog, which also checks segment rules and the
 * segments expressions name) and the admin cross checks (admin-checks.ts), every problem at once.
 *
 * Paths are rewritten for the person who made the change: problems inside the entity being
 * written are relative to the request body (`creativeIds[1]`), problems elsewhere name the entity
 * by key (`lineItems[li-acme-cart].creativeIds[0]`), since array positions mean nothing to a
 * client. A cross-check problem the previous version already had (a hand-published document) is
 * a warning, so a write is blamed only for what it breaks.
 */
import { formatPath, type FieldIssue } from '../errors';
import type { CatalogDocument } from '../model';
import type { SegmentRule } from '../segments/rule-schema';
import { definedRules, effectiveRules } from '../segments/seed-rules';
import { fieldIssues } from '../zod-issues';
import { crossIssues, unassignedCreatives } from './admin-checks';
import { COLLECTIONS, entityKey, type Collection } from './admin-kinds';
import { liveEntities, type AdminState, type DocJson } from './admin-state';
import { catalogSchema, parseCatalog } from './catalog-schema';

/** KV takes 25 MiB, but a Durable Object's SQLite row holds 2 MB, and every edge compiles the whole document. */
export const MAX_DOCUMENT_BYTES = 1_900_000;

export interface Focus {
  readonly collection: Collection;
  readonly key: string;
}

export interface TypedCatalog {
  readonly doc: CatalogDocument;
  readonly rules: readonly SegmentRule[];
}

export type Validation =
  | { readonly ok: true; readonly typed: TypedCatalog; readonly warnings: readonly FieldIssue[] }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/** The document typed as the catalog (and its rules in force), or its problems with document paths. */
export function typeCatalog(doc: DocJson): { ok: true; typed: TypedCatalog } | { ok: false; issues: FieldIssue[] } {
  const parsed = parseCatalog(doc);
  if (!parsed.ok) return parsed;
  return { ok: true, typed: { doc: parsed.value, rules: effectiveRules(parsed.value.segmentRules) } };
}

/** The version a write starts from, as JSON and typed. */
export interface BaseCatalog {
  readonly doc: DocJson;
  readonly typed: TypedCatalog;
}

export function validateState(next: AdminState, prev: BaseCatalog | null, focus: Focus | null): Validation {
  const bytes = new TextEncoder().encode(JSON.stringify(next.doc)).length;
  if (bytes > MAX_DOCUMENT_BYTES) {
    return { ok: false, issues: [{ path: '(root)', message: `the catalog would be ${bytes} bytes; at most ${MAX_DOCUMENT_BYTES} are allowed` }] };
  }
  const shape = catalogSchema.safeParse(next.doc);
  if (!shape.success) return { ok: false, issues: dedupe(fieldIssues(shape.error).map((i) => relocate(i, next.doc, focus))) };
  // Reference problems (parseCatalog) and the admin checks together: both need only the shape.
  const references = parseCatalog(next.doc);
  const errors: FieldIssue[] = references.ok ? [] : references.issues.map((i) => relocate(i, next.doc, focus));
  const warnings: FieldIssue[] = [];
  // Checked against every defined rule (paused ones too): a paused rule still defines its segment.
  const before = new Set(prev ? crossIssues(prev.typed.doc, definedRules(prev.typed.doc.segmentRules)).map((i) => issueId(relocate(i, prev.doc, null))) : []);
  const rules = definedRules(shape.data.segmentRules);
  for (const raw of crossIssues(shape.data, rules)) {
    const issue = relocate(raw, next.doc, focus);
    if (before.has(issueId(relocate(raw, next.doc, null)))) warnings.push({ ...issue, message: `${issue.message} (already so before this change)` });
    else errors.push(issue);
  }
  if (!references.ok || errors.length > 0) return { ok: false, issues: dedupe(errors) };

  const typed: TypedCatalog = { doc: references.value, rules: effectiveRules(references.value.segmentRules) };
  const wasUnassigned = prev ? unassignedCreatives(prev.typed.doc) : new Set<string>();
  for (const id of unassignedCreatives(typed.doc)) {
    if (!wasUnassigned.has(id) || (focus?.collection === 'creatives' && focus.key === id)) {
      const index = next.doc.creatives.findIndex((c) => c.id === id);
      warnings.push(relocate({ path: formatPath(['creatives', index]), message: 'no line item uses this creative: it cannot serve yet' }, next.doc, focus));
    }
  }
  return { ok: true, typed, warnings: dedupe(warnings) };
}

const ENTITY_PATH = new RegExp(`^(${COLLECTIONS.join('|')})\\[(\\d+)\\](.*)$`);

/** Document path → body-relative (inside the focus) or keyed (elsewhere). */
export function relocate(issue: FieldIssue, doc: DocJson, focus: Focus | null): FieldIssue {
  const m = ENTITY_PATH.exec(issue.path);
  if (!m) return issue;
  const collection = COLLECTIONS.find((c) => c === m[1]);
  const entity = collection && liveEntities(doc, collection)[Number(m[2])];
  if (!collection || !entity) return issue;
  const key = entityKey(collection, entity);
  const rest = m[3] ?? '';
  if (focus && focus.collection === collection && focus.key === key) {
    const inner = rest.startsWith('.') ? rest.slice(1) : rest;
    return { ...issue, path: inner === '' ? '(root)' : inner };
  }
  return { ...issue, path: `${collection}[${key}]${rest}` };
}

const issueId = (i: FieldIssue): string => `${i.path}\u0000${i.message}`;

function dedupe(issues: readonly FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const id = issueId(i);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
