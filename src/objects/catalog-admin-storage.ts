/**
 * CatalogAdmin's SQLite tables and how a stored version is read back. Stored rows are our own
 * writing, but they are parsed like any other input: a version written by an older build may not
 * validate under today's schema, and a rollback to it must say so instead of publishing it.
 */
import { historyEntrySchema, versionInfoSchema } from '../core/catalog/admin-api';
import type { HistoryEntry, VersionInfo } from '../core/catalog/admin-history';
import { parseArchive, parseDocJson, type AdminState } from '../core/catalog/admin-state';
import { typeCatalog, type TypedCatalog } from '../core/catalog/admin-validate';
import type { FieldIssue } from '../core/errors';

export const catalogAdminSchema = `
  CREATE TABLE IF NOT EXISTS versions (
    version INTEGER PRIMARY KEY,
    doc TEXT NOT NULL,
    archive TEXT NOT NULL,
    info TEXT NOT NULL,
    published INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS history (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);
`;

/** The current version, parsed once and kept in memory: reads never touch SQLite or JSON. */
export interface Head {
  readonly version: number;
  readonly state: AdminState;
  readonly typed: TypedCatalog;
  readonly published: boolean;
  readonly info: VersionInfo;
}

export type LoadedVersion = { readonly ok: true; readonly head: Head } | { readonly ok: false; readonly issues: readonly FieldIssue[] };

export function loadVersionRow(sql: SqlStorage, version: number): LoadedVersion {
  const row = [...sql.exec('SELECT doc, archive, info, published FROM versions WHERE version = ?', version)][0];
  if (!row || typeof row.doc !== 'string' || typeof row.archive !== 'string' || typeof row.info !== 'string') {
    return { ok: false, issues: [{ path: '(root)', message: 'version is not kept' }] };
  }
  const doc = parseDocJson(parseJson(row.doc));
  const archive = parseArchive(parseJson(row.archive));
  const info = parseVersionInfo(parseJson(row.info));
  if (!doc || !archive || !info) return { ok: false, issues: [{ path: '(root)', message: 'stored version is unreadable' }] };
  const typed = typeCatalog(doc);
  if (!typed.ok) return { ok: false, issues: typed.issues };
  return { ok: true, head: { version, state: { doc, archive }, typed: typed.typed, published: row.published === 1, info } };
}

export function parseVersionInfo(input: unknown): VersionInfo | null {
  const r = versionInfoSchema.safeParse(input);
  return r.success ? r.data : null;
}

export function parseHistoryEntry(input: unknown): HistoryEntry | null {
  const r = historyEntrySchema.safeParse(input);
  return r.success ? r.data : null;
}

/** Parses a stored JSON column with `parse`; an unreadable row is left out rather than failing a listing. */
export function parseStored<T>(raw: unknown, parse: (input: unknown) => T | null): T[] {
  if (typeof raw !== 'string') return [];
  const value = parse(parseJson(raw));
  return value === null ? [] : [value];
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}
