/**
 * The UserProfile object's storage, behind one small class so the object reads as the protocol
 * it implements. SQLite holds one row per counter and one per remembered event id; the KV-style
 * API holds the small documents (snapshot, profile document, identity, privacy). All calls are
 * synchronous, so a caller can make any number of them inside one `transactionSync`.
 */
import { MAX_SEEN_IDS, RETENTION_MS } from '../core/profile/retention';
import { type ProfileState, type Touched, getSeries } from '../core/profile/profile-state';
import { docOf, exportRows, rowOf, stateFrom, UnreadableProfileError, type ExportedProfile, type SeriesRow } from '../core/profile/stored-state';
import { z } from 'zod';

const KEY = {
  snapshot: 'snapshot',
  userHash: 'userHash',
  writtenVersion: 'kvVersion',
  doc: 'doc',
  identity: 'identity',
  privacy: 'privacy',
} as const;

/** Where this id stands among the ids of one person. */
export interface IdentityDoc {
  /** This id was merged into another profile: everything lives there now. */
  readonly aliasOf?: string;
  /** A merge into that profile has started and not finished: events wait (retry) meanwhile. */
  readonly exportingTo?: string;
  /** Ids merged into this profile. */
  readonly aliases: readonly string[];
  /** When the last merge into this profile happened: the links are kept the retention from then. */
  readonly linkedAtMs?: number;
}

const identitySchema = z.object({
  aliasOf: z.string().optional(),
  exportingTo: z.string().optional(),
  aliases: z.array(z.string()),
  linkedAtMs: z.number().optional(),
}) satisfies z.ZodType<IdentityDoc>;

interface SeriesDbRow extends Record<string, SqlStorageValue> {
  advertiser: string;
  sub: string;
  last_ms: number;
  hours: string;
  days: string;
}

export class ProfileStorage {
  private schemaReady = false;

  constructor(private readonly storage: DurableObjectStorage) {}

  get(key: keyof typeof KEY): unknown {
    return this.storage.kv.get(KEY[key]);
  }

  put(key: keyof typeof KEY, value: unknown): void {
    this.storage.kv.put(KEY[key], value);
  }

  delete(key: keyof typeof KEY): void {
    this.storage.kv.delete(KEY[key]);
  }

  writtenVersion(): number {
    const v = this.get('writtenVersion');
    return typeof v === 'number' ? v : 0;
  }

  /** Throws UnreadableProfileError when the stored document fails its schema. */
  identity(): IdentityDoc {
    const raw = this.get('identity');
    if (raw === undefined) return { aliases: [] };
    const r = identitySchema.safeParse(raw);
    if (!r.success) throw new UnreadableProfileError('stored identity fails its schema');
    return r.data;
  }

  optedOut(): boolean {
    const p = this.get('privacy');
    return typeof p === 'object' && p !== null && 'optedOut' in p && p.optedOut === true;
  }

  /** Counters, documents or remembered ids: anything learnt about the person. */
  hasProfileData(): boolean {
    return this.get('doc') !== undefined || this.rowCount('series') > 0 || this.rowCount('seen') > 0;
  }

  /** Throws UnreadableProfileError when stored data fails its schema. */
  loadState(): ProfileState {
    const rows = this.hasTable('series')
      ? this.storage.sql
          .exec<SeriesDbRow>('SELECT advertiser, sub, last_ms, hours, days FROM series')
          .toArray()
          .map((r): SeriesRow => ({ advertiserId: r.advertiser, sub: r.sub, lastMs: r.last_ms, hours: r.hours, days: r.days }))
      : [];
    return stateFrom(this.get('doc'), rows);
  }

  /** Records an event id; false when it was already applied. */
  markSeen(id: string, tsMs: number): boolean {
    this.ensureSchema();
    return this.storage.sql.exec('INSERT OR IGNORE INTO seen (id, ts) VALUES (?, ?)', id, tsMs).rowsWritten > 0;
  }

  /** Writes the counters and the document the last changes touched. */
  writeTouched(state: ProfileState, touched: Touched): void {
    this.ensureSchema();
    for (const ref of touched.series.values()) {
      const s = getSeries(state, ref);
      if (s === undefined) {
        this.storage.sql.exec('DELETE FROM series WHERE advertiser = ? AND sub = ?', ref.advertiserId, ref.sub);
      } else {
        const row = rowOf(ref, s);
        this.storage.sql.exec(
          'INSERT OR REPLACE INTO series (advertiser, sub, last_ms, hours, days) VALUES (?, ?, ?, ?, ?)',
          row.advertiserId,
          row.sub,
          row.lastMs,
          row.hours,
          row.days,
        );
      }
    }
    if (touched.doc) this.put('doc', docOf(state));
  }

  /** Ids of events past the retention can never come back; the rest are bounded, oldest events first. */
  pruneSeen(nowMs: number): void {
    if (!this.hasTable('seen')) return;
    this.storage.sql.exec('DELETE FROM seen WHERE ts <= ?', nowMs - RETENTION_MS);
    this.storage.sql.exec('DELETE FROM seen WHERE id IN (SELECT id FROM seen ORDER BY ts DESC LIMIT -1 OFFSET ?)', MAX_SEEN_IDS);
  }

  exportProfile(state: ProfileState, identity: IdentityDoc): ExportedProfile {
    const seen = this.hasTable('seen')
      ? this.storage.sql
          .exec<{ id: string; ts: number }>('SELECT id, ts FROM seen')
          .toArray()
          .map((r) => ({ id: r.id, tsMs: r.ts }))
      : [];
    return { doc: docOf(state), rows: exportRows(state), seen, aliases: identity.aliases, optedOut: this.optedOut() };
  }

  importSeen(seen: ExportedProfile['seen']): void {
    this.ensureSchema();
    for (const { id, tsMs } of seen) this.storage.sql.exec('INSERT OR IGNORE INTO seen (id, ts) VALUES (?, ?)', id, tsMs);
  }

  /** Forgets everything learnt about the person (counters, ids, documents, snapshot); identity and privacy stay. */
  wipeProfileData(): void {
    if (this.hasTable('series')) this.storage.sql.exec('DELETE FROM series');
    if (this.hasTable('seen')) this.storage.sql.exec('DELETE FROM seen');
    this.delete('doc');
    this.delete('snapshot');
    this.delete('writtenVersion');
  }

  /** Read-only: no key, no table, no alarm — what an erase must leave. */
  async isEmpty(): Promise<boolean> {
    const keys = await this.storage.list({ limit: 1 });
    const tables = this.storage.sql
      .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
      .toArray();
    return keys.size === 0 && tables.length === 0 && (await this.storage.getAlarm()) === null;
  }

  /** The tables are created by the first write, never by a read. */
  private ensureSchema(): void {
    if (this.schemaReady) return;
    this.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS series (
         advertiser TEXT NOT NULL, sub TEXT NOT NULL, last_ms INTEGER NOT NULL, hours TEXT NOT NULL, days TEXT NOT NULL,
         PRIMARY KEY (advertiser, sub))`,
    );
    this.storage.sql.exec('CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, ts INTEGER NOT NULL)');
    this.storage.sql.exec('CREATE INDEX IF NOT EXISTS seen_ts ON seen (ts)');
    this.schemaReady = true;
  }

  /** After deleteAll the tables are gone: the next write creates them again. */
  forgetSchema(): void {
    this.schemaReady = false;
  }

  private hasTable(name: 'series' | 'seen'): boolean {
    if (this.schemaReady) return true;
    return this.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length > 0;
  }

  private rowCount(name: 'series' | 'seen'): number {
    if (!this.hasTable(name)) return 0;
    return this.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${name}`).one().n;
  }
}
