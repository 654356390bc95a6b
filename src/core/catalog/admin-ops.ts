/**
 * The admin API's write operations as pure functions: each applies one change to a copy of the
 * current admin state and validates the result as a whole (admin-validate.ts). Nothing here
 * stores or publishes; the CatalogAdmin object does that with what `planWrite` returns.
 *
 * Archiving takes an entity out of the live catalog (the edges never see it again) into the
 * version's archive, together with everything it owns (an advertiser's campaigns, their line
 * items, its creatives, models and scoped segment rules); restoring brings back what was archived
 * with it. Live entities that still refer to an archived one are reported, all of them.
 */
import type { ErrorCode, FieldIssue } from '../errors';
import { isJsonObject } from '../openrtb/primitives';
import { entityEtag, ifMatchSatisfied, canonicalJson } from './admin-etag';
import { COLLECTIONS, entityKey, entityRef, jsonObject, KINDS, unknownFieldIssues, type Collection, type JsonObject } from './admin-kinds';
import { liveEntities, withCollection, type AdminState, type ArchivedEntry, type DocJson } from './admin-state';
import { validateState, type BaseCatalog, type TypedCatalog } from './admin-validate';

export type WriteOp =
  | { readonly op: 'create'; readonly collection: Collection; readonly body: unknown }
  | { readonly op: 'replace'; readonly collection: Collection; readonly key: string; readonly body: unknown; readonly ifMatch: string | undefined }
  | { readonly op: 'patch'; readonly collection: Collection; readonly key: string; readonly patch: unknown; readonly ifMatch: string | undefined }
  | {
      readonly op: 'pause' | 'resume' | 'archive' | 'restore';
      readonly collection: Collection;
      readonly key: string;
      readonly ifMatch: string | undefined;
    };

export interface Failure {
  readonly code: ErrorCode;
  readonly message: string;
  readonly issues?: readonly FieldIssue[];
  /** The entity's current ETag, for a 409 caused by a stale `If-Match`. */
  readonly etag?: string;
}

/** What a version changed, for the history. `along`: other entities an archive or restore took with it. */
export interface Change {
  readonly op: WriteOp['op'];
  readonly collection: Collection;
  readonly key: string;
  readonly along: readonly string[];
}

export interface EntityView {
  readonly data: JsonObject;
  readonly etag: string;
  readonly archived: boolean;
  /** When it was archived, for archived entities. */
  readonly archivedAtMs?: number;
}

export type Planned =
  | {
      readonly ok: true;
      /** The write changes nothing (e.g. pausing a paused line item): no new version. */
      readonly unchanged: boolean;
      readonly state: AdminState;
      readonly typed: TypedCatalog;
      readonly change: Change;
      readonly entity: EntityView;
      readonly warnings: readonly FieldIssue[];
    }
  | { readonly ok: false; readonly failure: Failure };

type Found =
  | { readonly archived: false; readonly entity: JsonObject; readonly index: number }
  | { readonly archived: true; readonly entity: JsonObject; readonly entry: ArchivedEntry };

function find(state: AdminState, collection: Collection, key: string): Found | null {
  const live = liveEntities(state.doc, collection);
  const index = live.findIndex((e) => entityKey(collection, e) === key);
  const entity = live[index];
  if (entity) return { archived: false, entity, index };
  const entry = state.archive[collection].find((a) => entityKey(collection, a.entity) === key);
  return entry ? { archived: true, entity: entry.entity, entry } : null;
}

export function viewOf(found: Found): EntityView {
  return found.archived
    ? { data: found.entity, etag: entityEtag(found.entity, true), archived: true, archivedAtMs: found.entry.archivedAtMs }
    : { data: found.entity, etag: entityEtag(found.entity, false), archived: false };
}

export function readEntity(state: AdminState, collection: Collection, key: string): EntityView | null {
  const found = find(state, collection, key);
  return found ? viewOf(found) : null;
}

export type ArchivedFilter = 'exclude' | 'include' | 'only';

/** Live entities first, in document order, then archived ones; `owner` filters by the owning entity's id. */
export function listEntities(state: AdminState, collection: Collection, archived: ArchivedFilter, owner?: string): EntityView[] {
  const field = KINDS[collection].owner?.field;
  const owned = (e: JsonObject): boolean => owner === undefined || (field !== undefined && e[field] === owner);
  const live = archived === 'only' ? [] : liveEntities(state.doc, collection).filter(owned).map((entity, index) => viewOf({ archived: false, entity, index }));
  const gone = archived === 'exclude' ? [] : state.archive[collection].filter((a) => owned(a.entity)).map((entry) => viewOf({ archived: true, entity: entry.entity, entry }));
  return [...live, ...gone];
}

const fail = (code: ErrorCode, message: string, extra: Omit<Failure, 'code' | 'message'> = {}): { ok: false; failure: Failure } => ({
  ok: false,
  failure: { code, message, ...extra },
});

export function planWrite(base: BaseCatalog & { readonly state: AdminState }, op: WriteOp, nowMs: number): Planned {
  const spec = KINDS[op.collection];
  if (op.op === 'create') {
    const parsed = parseEntity(op.collection, op.body);
    if (!parsed.ok) return parsed;
    const key = entityKey(op.collection, parsed.entity);
    const existing = find(base.state, op.collection, key);
    if (existing) return fail('conflict', `a ${spec.noun} with this id already exists${existing.archived ? ' (archived)' : ''}`);
    const list = [...liveEntities(base.state.doc, op.collection), parsed.entity];
    return finish(base, { ...base.state, doc: withCollection(base.state.doc, op.collection, list) }, op, key, []);
  }

  const found = find(base.state, op.collection, op.key);
  if (!found) return fail('not_found', `no such ${spec.noun}`);
  const etag = viewOf(found).etag;
  if (op.ifMatch !== undefined && !ifMatchSatisfied(op.ifMatch, etag)) {
    return fail('conflict', `the ${spec.noun} has changed since it was read: read it again and reapply the change`, { etag });
  }

  switch (op.op) {
    case 'replace':
    case 'patch': {
      if (op.ifMatch === undefined) return fail('precondition_required', 'send If-Match with the ETag from your last read of this entity');
      if (found.archived) return fail('conflict', `the ${spec.noun} is archived: restore it before changing it`, { etag });
      const body = op.op === 'patch' ? mergePatch(found.entity, op.patch) : withDefaultId(op.body, found.entity);
      const parsed = parseEntity(op.collection, body);
      if (!parsed.ok) return parsed;
      if (entityKey(op.collection, parsed.entity) !== op.key) {
        const field = op.collection === 'segmentRules' && parsed.entity.id === found.entity.id ? 'advertiserId' : 'id';
        return fail('invalid_request', `the ${spec.noun} is invalid`, { issues: [{ path: field, message: 'cannot change: it is part of the key in the path' }] });
      }
      const list = liveEntities(base.state.doc, op.collection).map((e, i) => (i === found.index ? parsed.entity : e));
      return finish(base, { ...base.state, doc: withCollection(base.state.doc, op.collection, list) }, op, op.key, []);
    }
    case 'pause':
    case 'resume': {
      if (!spec.pausable) return fail('not_found', `${spec.noun}s cannot be paused`);
      if (found.archived) return fail('conflict', `the ${spec.noun} is archived: restore it first`, { etag });
      const updated = { ...found.entity, status: op.op === 'pause' ? 'paused' : 'active' };
      const list = liveEntities(base.state.doc, op.collection).map((e, i) => (i === found.index ? updated : e));
      return finish(base, { ...base.state, doc: withCollection(base.state.doc, op.collection, list) }, op, op.key, []);
    }
    case 'archive': {
      if (found.archived) return finish(base, base.state, op, op.key, []);
      const { state, along } = archive(base.state, op.collection, op.key, nowMs);
      return finish(base, state, op, op.key, along);
    }
    case 'restore': {
      if (!found.archived) return finish(base, base.state, op, op.key, []);
      const { state, along } = restore(base.state, op.collection, op.key);
      return finish(base, state, op, op.key, along);
    }
  }
}

function finish(base: BaseCatalog & { readonly state: AdminState }, next: AdminState, op: WriteOp, key: string, along: readonly string[]): Planned {
  const focus = { collection: op.collection, key };
  const unchanged = canonicalJson(next) === canonicalJson(base.state);
  const validation = validateState(next, base, focus);
  if (!validation.ok) {
    return fail('invalid_request', `the change would make the catalog invalid; nothing was changed`, { issues: validation.issues });
  }
  const found = find(next, op.collection, key);
  if (!found) return fail('internal', 'the written entity is missing');
  return {
    ok: true,
    unchanged,
    state: next,
    typed: validation.typed,
    change: { op: op.op, collection: op.collection, key, along },
    entity: viewOf(found),
    warnings: validation.warnings,
  };
}

/** One entity checked against its kind's schema (plus unknown fields), normalised as the catalog stores it. */
function parseEntity(collection: Collection, body: unknown): { ok: true; entity: JsonObject } | { ok: false; failure: Failure } {
  const spec = KINDS[collection];
  const issues: FieldIssue[] = unknownFieldIssues(spec, body);
  const parsed = spec.schema.safeParse(body);
  if (!parsed.success) {
    issues.push(...parsed.error.issues.map((i) => ({ path: i.path.length === 0 ? '(root)' : pathOf(i.path), message: i.message })));
  }
  if (isJsonObject(body) && body.status === 'archived') issues.push({ path: 'status', message: 'archive with POST …/archive, which keeps the entity restorable' });
  if (issues.length > 0 || !parsed.success) return fail('invalid_request', `the ${spec.noun} is invalid`, { issues });
  return { ok: true, entity: jsonObject.parse(parsed.data) };
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`;
  return out;
}

/** A replacement body may leave out the id the path already names. */
function withDefaultId(body: unknown, current: JsonObject): unknown {
  return isJsonObject(body) && body.id === undefined ? { ...body, id: current.id } : body;
}

/** JSON Merge Patch (RFC 7396): objects merge, `null` removes a field, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch;
  const base = isJsonObject(target) ? target : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base)) if (!(k in patch)) out[k] = v;
  for (const [k, v] of Object.entries(patch)) if (v !== null) out[k] = mergePatch(base[k], v);
  return out;
}

/** Refs of the entity and everything it owns, owners before what they own. */
function ownedTree(doc: DocJson, collection: Collection, key: string): { collection: Collection; key: string }[] {
  const out = [{ collection, key }];
  for (let i = 0; i < out.length; i++) {
    const parent = out[i];
    if (!parent) break;
    for (const c of COLLECTIONS) {
      const owner = KINDS[c].owner;
      if (owner?.collection !== parent.collection) continue;
      for (const e of liveEntities(doc, c)) if (e[owner.field] === parent.key) out.push({ collection: c, key: entityKey(c, e) });
    }
  }
  return out;
}

function archive(state: AdminState, collection: Collection, key: string, nowMs: number): { state: AdminState; along: string[] } {
  const tree = ownedTree(state.doc, collection, key);
  const archivedWith = entityRef(collection, key);
  let doc = state.doc;
  const archived = { ...state.archive };
  for (const c of COLLECTIONS) {
    const keys = new Set(tree.filter((t) => t.collection === c).map((t) => t.key));
    if (keys.size === 0) continue;
    const live = liveEntities(doc, c);
    doc = withCollection(doc, c, live.filter((e) => !keys.has(entityKey(c, e))));
    archived[c] = [...archived[c], ...live.filter((e) => keys.has(entityKey(c, e))).map((entity) => ({ entity, archivedAtMs: nowMs, archivedWith }))];
  }
  return { state: { doc, archive: archived }, along: tree.slice(1).map((t) => entityRef(t.collection, t.key)) };
}

/**
 * The entity and whatever was archived along with it. An entity archived as part of its owner
 * comes back alone; validation then says if its owner is still archived.
 */
function restore(state: AdminState, collection: Collection, key: string): { state: AdminState; along: string[] } {
  const root = entityRef(collection, key);
  let doc = state.doc;
  const archived = { ...state.archive };
  const along: string[] = [];
  for (const c of COLLECTIONS) {
    const isBack = (a: ArchivedEntry): boolean => a.archivedWith === root || entityRef(c, entityKey(c, a.entity)) === root;
    const back = archived[c].filter(isBack);
    if (back.length === 0) continue;
    archived[c] = archived[c].filter((a) => !isBack(a));
    doc = withCollection(doc, c, [...liveEntities(doc, c), ...back.map((a) => a.entity)]);
    for (const a of back) {
      const ref = entityRef(c, entityKey(c, a.entity));
      if (ref !== root) along.push(ref);
    }
  }
  return { state: { doc, archive: archived }, along };
}
