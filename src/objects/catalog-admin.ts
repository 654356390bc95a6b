/**
 * CatalogAdmin: the one Durable Object (named "catalog") every admin write goes through, so
 * writes are applied one at a time to the current version and version numbers are never reused.
 * It keeps every version it made (document and archive) in SQLite and publishes each to KV:
 * `catalog:v:<n>` first, then `catalog:current` — the keys the edges' catalog store reads.
 *
 * Why an object and not KV alone: KV is eventually consistent (a read after a write elsewhere can
 * be a minute old), so two admins editing through different locations could both build on the
 * same version and one edit would vanish. Here every write sees the previous one.
 *
 * A write holds the object (blockConcurrencyWhile) until its KV puts are done, so a slower put of
 * an older version can never land after a newer one. Numbers are committed to SQLite before the
 * puts: a put that fails (or whose answer is lost) never leads to a second, different document
 * under the same number; the version stays unpublished and the alarm retries.
 */
import { DurableObject } from 'cloudflare:workers';
import { DEMO_CATALOG } from '../core/catalog/demo-catalog';
import { planWrite, listEntities, readEntity, type ArchivedFilter, type Failure, type WriteOp } from '../core/catalog/admin-ops';
import { catalogEtag, ifMatchSatisfied } from '../core/catalog/admin-etag';
import { rollbackTarget, type HistoryEntry, type VersionInfo, type VersionOrigin } from '../core/catalog/admin-history';
import type { Collection } from '../core/catalog/admin-kinds';
import { EMPTY_ARCHIVE, emptyDoc, parseDocJson, type AdminState } from '../core/catalog/admin-state';
import { typeCatalog, type TypedCatalog } from '../core/catalog/admin-validate';
import { log } from '../log';
import { CURRENT_KEY, versionKey } from '../store/catalog-store';
import { catalogAdminSchema, loadVersionRow, parseHistoryEntry, parseJson, parseStored, parseVersionInfo, type Head } from './catalog-admin-storage';

/** Versions kept for rollback; older ones are dropped from the object (their KV copies stay). */
export const MAX_KEPT_VERSIONS = 1_000;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 60_000;

/**
 * Entity responses leave the object as finished JSON text: the HTTP layer forwards them as they
 * are (RPC types cannot describe free-form JSON entities, and nothing needs them parsed again).
 */
export type WriteResult =
  | {
      readonly ok: true;
      readonly created: boolean;
      /** The written entity's key, as its URL names it. */
      readonly key: string;
      readonly etag: string;
      /** `{ data, etag, archived, catalogVersion, published, warnings }` (admin-api.ts). */
      readonly body: string;
    }
  | { readonly ok: false; readonly failure: Failure };

export interface EntityRead {
  readonly etag: string;
  /** `{ data, etag, archived, catalogVersion }`. */
  readonly body: string;
}

export type RollbackResult =
  | { readonly ok: true; readonly current: number; readonly previous: number; readonly changed: boolean; readonly published: boolean }
  | { readonly ok: false; readonly failure: Failure };

export interface CatalogInfo {
  readonly current: number;
  readonly published: boolean;
  readonly kvCurrent: number | null;
  readonly etag: string;
  readonly versions: readonly VersionInfo[];
  readonly history: readonly HistoryEntry[];
}

export class CatalogAdmin extends DurableObject<Env> {
  /** Set by `load` before any call is delivered (blockConcurrencyWhile in the constructor). */
  private loaded: Head | null = null;
  /** The version last written to `catalog:current` by this instance; null until one is. */
  private pointed: number | null = null;
  private publishFailures = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(catalogAdminSchema);
    void ctx.blockConcurrencyWhile(() => this.load());
  }

  async write(op: WriteOp, by: string | null): Promise<WriteResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      await this.adoptNewerPublication();
      const planned = planWrite({ state: this.head.state, doc: this.head.state.doc, typed: this.head.typed }, op, Date.now());
      if (!planned.ok) return planned;
      const answer = (catalogVersion: number, published: boolean): WriteResult => ({
        ok: true,
        created: op.op === 'create',
        key: planned.change.key,
        etag: planned.entity.etag,
        body: JSON.stringify({ ...planned.entity, catalogVersion, published, warnings: planned.warnings }),
      });
      if (planned.unchanged) return answer(this.head.version, this.pointed === this.head.version);
      const version = await this.nextFreeVersion();
      const state: AdminState = { doc: { ...planned.state.doc, version }, archive: planned.state.archive };
      const typed = { ...planned.typed, doc: { ...planned.typed.doc, version } };
      this.commitVersion(version, this.head.version, state, typed, planned.change, by);
      return answer(version, await this.publishHead());
    });
  }

  read(collection: Collection, key: string): EntityRead | null {
    const entity = readEntity(this.head.state, collection, key);
    return entity ? { etag: entity.etag, body: JSON.stringify({ ...entity, catalogVersion: this.head.version }) } : null;
  }

  /** `{ catalogVersion, items }` as JSON text. */
  list(collection: Collection, archived: ArchivedFilter, owner: string | undefined): string {
    return JSON.stringify({ catalogVersion: this.head.version, items: listEntities(this.head.state, collection, archived, owner) });
  }

  async info(limit: number): Promise<CatalogInfo> {
    let kvCurrent: number | null = null;
    try {
      kvCurrent = versionNumber(await this.env.CATALOG.get(CURRENT_KEY));
    } catch {
      log('warn', 'catalog_admin_kv_read_failed');
    }
    const sql = this.ctx.storage.sql;
    // `published` is its own column: set when the document reaches KV, after the info was written.
    const versions = [...sql.exec('SELECT info, published FROM versions ORDER BY version DESC LIMIT ?', limit)].flatMap((r) =>
      parseStored(r.info, parseVersionInfo).map((v) => ({ ...v, published: r.published === 1 })),
    );
    const history = [...sql.exec('SELECT entry FROM history ORDER BY seq DESC LIMIT ?', limit)].flatMap((r) => parseStored(r.entry, parseHistoryEntry));
    const { version } = this.head;
    return { current: version, published: this.pointed === version || kvCurrent === version, kvCurrent, etag: catalogEtag(version), versions, history };
  }

  /** The document of a kept version, exactly as published. */
  document(version: number): string | null {
    const row = [...this.ctx.storage.sql.exec('SELECT doc FROM versions WHERE version = ?', version)][0];
    return typeof row?.doc === 'string' ? row.doc : null;
  }

  async rollback(requested: number | undefined, ifMatch: string | undefined, by: string | null): Promise<RollbackResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const previous = this.head.version;
      if (ifMatch !== undefined && !ifMatchSatisfied(ifMatch, catalogEtag(previous))) {
        return { ok: false, failure: { code: 'conflict', message: 'the current catalog version has changed since it was read', etag: catalogEtag(previous) } };
      }
      const target = rollbackTarget(this.head.info, (v) => this.hasVersion(v), requested);
      if (!target.ok) return { ok: false, failure: { code: target.code, message: target.message } };
      if (target.version === previous) return { ok: true, current: previous, previous, changed: false, published: this.pointed === previous };
      const row = loadVersionRow(this.ctx.storage.sql, target.version);
      if (!row.ok) return { ok: false, failure: { code: 'invalid_request', message: 'that version no longer validates as a catalog', issues: row.issues } };
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('head', ?)", target.version);
      this.appendHistory({ atMs: Date.now(), action: 'rollback', version: target.version, from: previous, by });
      this.head = row.head;
      const published = await this.publishHead();
      return { ok: true, current: target.version, previous, changed: true, published };
    });
  }

  /** Retries a publication that failed; the edges keep serving the version before it meanwhile. */
  override async alarm(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      await this.publishHead();
    });
  }

  // --- loading and bootstrapping ---

  private get head(): Head {
    if (!this.loaded) throw new Error('catalog admin used before it loaded');
    return this.loaded;
  }

  private set head(head: Head) {
    this.loaded = head;
  }

  private async load(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const headRow = [...sql.exec("SELECT value FROM meta WHERE key = 'head'")][0];
    if (typeof headRow?.value === 'number') {
      const row = loadVersionRow(sql, headRow.value);
      if (row.ok) {
        this.head = row.head;
        return;
      }
      // Our own stored version no longer validates (a schema change): start over from what KV serves.
      log('error', 'catalog_admin_head_invalid', { version: headRow.value, issues: row.issues.length, firstPath: row.issues[0]?.path });
    }
    await this.bootstrap();
  }

  /** First activation: adopt what KV serves, else the demo catalog (when switched on), else an empty one. */
  private async bootstrap(): Promise<void> {
    const current = versionNumber(await this.env.CATALOG.get(CURRENT_KEY));
    if (current !== null) {
      const imported = await this.importFromKv(current);
      if (imported) return;
      // Unreadable: start empty, above the number it holds, so nothing is ever overwritten.
      this.commitImport(current + 1, emptyState(), 'empty', false);
      return;
    }
    if (this.env.DEMO_CATALOG === 'on') {
      const demo = parseDocJson(parseJson(JSON.stringify(DEMO_CATALOG)));
      if (demo && typeCatalog(demo).ok) {
        this.commitImport(demo.version, { doc: demo, archive: EMPTY_ARCHIVE }, 'demo', false);
        await this.publishHead();
        return;
      }
    }
    this.commitImport(0, emptyState(), 'empty', false);
  }

  /** Imports `catalog:v:<version>` as the head; false when it is missing or invalid. */
  private async importFromKv(version: number): Promise<boolean> {
    const raw = await this.env.CATALOG.get(versionKey(version));
    const doc = raw === null ? null : parseDocJson(parseJson(raw));
    const typed = doc && typeCatalog(doc);
    if (!doc || !typed?.ok || doc.version !== version) {
      log('error', 'catalog_admin_import_invalid', { version });
      return false;
    }
    this.commitImport(version, { doc, archive: EMPTY_ARCHIVE }, 'kv', true);
    return true;
  }

  /**
   * A version published to KV by hand, above anything this object made, becomes the base of the
   * next write. Only higher numbers are adopted: a lower `catalog:current` may just be a stale read.
   */
  private async adoptNewerPublication(): Promise<void> {
    const current = versionNumber(await this.env.CATALOG.get(CURRENT_KEY));
    if (current !== null && current > this.maxVersion()) await this.importFromKv(current);
  }

  // --- storage ---

  /** Callers have validated `state`; the empty catalog always validates. */
  private commitImport(version: number, state: AdminState, source: 'kv' | 'demo' | 'empty', published: boolean): void {
    const doc = { ...state.doc, version };
    const typed = typeCatalog(doc);
    if (!typed.ok) throw new Error('imported catalog does not validate');
    const parent = this.loaded?.version ?? null;
    this.commitVersion(version, parent, { doc, archive: state.archive }, typed.typed, { op: 'import', source }, null, published);
  }

  private commitVersion(
    version: number,
    parent: number | null,
    state: AdminState,
    typed: TypedCatalog,
    origin: VersionOrigin,
    by: string | null,
    published = false,
  ): void {
    const info: VersionInfo = { version, parent, createdAtMs: Date.now(), published, origin, by };
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      sql.exec(
        'INSERT OR REPLACE INTO versions (version, doc, archive, info, published) VALUES (?, ?, ?, ?, ?)',
        version,
        JSON.stringify(state.doc),
        JSON.stringify(state.archive),
        JSON.stringify(info),
        published ? 1 : 0,
      );
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('head', ?)", version);
      sql.exec(
        'DELETE FROM versions WHERE version NOT IN (SELECT version FROM versions ORDER BY version DESC LIMIT ?) AND version != ?',
        MAX_KEPT_VERSIONS,
        version,
      );
    });
    this.appendHistory({ atMs: info.createdAtMs, action: origin.op === 'import' ? 'import' : 'publish', version, from: parent, by });
    this.head = { version, state, typed, published, info };
  }

  private appendHistory(entry: HistoryEntry): void {
    const sql = this.ctx.storage.sql;
    sql.exec('INSERT INTO history (entry) VALUES (?)', JSON.stringify(entry));
    sql.exec('DELETE FROM history WHERE seq <= (SELECT MAX(seq) FROM history) - ?', MAX_KEPT_VERSIONS * 2);
  }

  private hasVersion(version: number): boolean {
    return [...this.ctx.storage.sql.exec('SELECT 1 AS x FROM versions WHERE version = ?', version)].length > 0;
  }

  private maxVersion(): number {
    const row = [...this.ctx.storage.sql.exec('SELECT MAX(version) AS v FROM versions')][0];
    return typeof row?.v === 'number' ? row.v : -1;
  }

  /** The next number above everything made here and anything already under that key in KV (hand-published). */
  private async nextFreeVersion(): Promise<number> {
    let version = this.maxVersion() + 1;
    for (let i = 0; i < 100 && (await this.env.CATALOG.get(versionKey(version))) !== null; i++) version++;
    return version;
  }

  /**
   * Makes KV serve the head: its document (if not yet written), then `catalog:current`. On
   * failure an alarm retries with backoff; edges keep the previous version meanwhile.
   */
  private async publishHead(): Promise<boolean> {
    const { version } = this.head;
    try {
      if (!this.head.published) {
        await this.env.CATALOG.put(versionKey(version), JSON.stringify(this.head.state.doc));
        this.ctx.storage.sql.exec('UPDATE versions SET published = 1 WHERE version = ?', version);
      }
      await this.env.CATALOG.put(CURRENT_KEY, String(version));
      this.head = { ...this.head, published: true };
      this.pointed = version;
      this.publishFailures = 0;
      log('info', 'catalog_published', { version });
      return true;
    } catch {
      this.publishFailures++;
      const delayMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.publishFailures - 1));
      log('error', 'catalog_publish_failed', { version, retryInMs: delayMs });
      await this.ctx.storage.setAlarm(Date.now() + delayMs);
      return false;
    }
  }
}

function emptyState(): AdminState {
  return { doc: emptyDoc(), archive: EMPTY_ARCHIVE };
}

function versionNumber(raw: string | null): number | null {
  if (raw === null) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
