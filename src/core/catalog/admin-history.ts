/**
 * The catalog's version history as the admin layer keeps it. Every accepted write makes a new
 * immutable version whose parent is the version it was made from; a rollback only moves which
 * version is current (that is what the edges honour: `catalog:current` pointing at an older
 * version). "Roll back" without a version means: to the current version's parent, i.e. undo the
 * change that made it.
 */
import type { ErrorCode } from '../errors';
import type { Change } from './admin-ops';

export type VersionOrigin =
  | { readonly op: 'import'; readonly source: 'kv' | 'demo' | 'empty' }
  | Change;

export interface VersionInfo {
  readonly version: number;
  /** The version this one was made from; null for the first one (imported or empty). */
  readonly parent: number | null;
  readonly createdAtMs: number;
  /** Written to KV (`catalog:v:<n>`); the current one also as `catalog:current`. */
  readonly published: boolean;
  readonly origin: VersionOrigin;
  /** Principal id of the admin who made it. */
  readonly by: string | null;
}

export interface HistoryEntry {
  readonly atMs: number;
  readonly action: 'publish' | 'rollback' | 'import';
  /** The version current after the action. */
  readonly version: number;
  /** The version current before it. */
  readonly from: number | null;
  readonly by: string | null;
}

export type RollbackTarget =
  | { readonly ok: true; readonly version: number }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** Where a rollback goes: the requested version if it is kept, else the current version's parent. */
export function rollbackTarget(current: VersionInfo, known: (version: number) => boolean, requested: number | undefined): RollbackTarget {
  if (requested !== undefined) {
    return known(requested)
      ? { ok: true, version: requested }
      : { ok: false, code: 'not_found', message: 'no such catalog version in the kept history' };
  }
  if (current.parent === null || !known(current.parent)) {
    return { ok: false, code: 'conflict', message: 'the current version has no previous version to roll back to; name a version' };
  }
  return { ok: true, version: current.parent };
}
