/**
 * The campaign ledger's SQLite tables and the statements over them. Synchronous (the Durable
 * Object's SQLite runs in its thread), so a whole batch applies inside one `transactionSync`.
 *
 * - `counters`: one row per UTC hour and dimension (`cmp`, `li:<id>`, `cr:<id>`).
 * - `notices`: per placement (`<response id>|<imp id>`) the notice kinds seen and whether its spend
 *   was counted, until the tracking token's expiry (after it the edge refuses the token, so no
 *   replay can arrive); also `m:<id>` for applied decision messages, `c:<user>|<event id>` for
 *   counted conversions and `x:<user>` for users erased in the last `PURGE_BLOCK_MS`. Pruned by
 *   the alarm.
 * - `audience`: one row per user seen exposed (impression) or held out, with their first time
 *   and first conversion after it, for lift. Kept for `AUDIENCE_KEEP_MS`.
 *
 * `purgeUsers` (the erase) deletes a user's audience row and conversion keys.
 */
import { COUNTER_NAMES, zeroCounters, type Counters } from '../core/ledger/counters';
import type { HourRow } from '../core/ledger/report';
import { RETENTION_MS } from '../core/profile/retention';

/** Decision and conversion ids are remembered this long: longer than any queue redelivery. */
export const MESSAGE_DEDUPE_MS = 4 * 86_400_000;
/**
 * Lift cohorts can be reported this far back: the 90 days every user-level record is kept
 * (RETENTION_MS, README "Privacy"), so a report's lift covers users first seen in the last 90 days.
 */
export const AUDIENCE_KEEP_MS = RETENTION_MS;
/**
 * After an erase the ledger refuses exposure and conversions of the erased hashes this long:
 * longer than a tracking token lives plus queue retries, so hits and conversions already in
 * flight when the erase ran cannot bring the user back.
 */
export const PURGE_BLOCK_MS = MESSAGE_DEDUPE_MS;

const COLUMNS = { bids: 'bids', wins: 'wins', impressions: 'imps', clicks: 'clicks', conversions: 'convs', holdouts: 'holdouts', spendNanos: 'spend' } as const;

export const GROUP = { exposed: 1, holdout: 2 } as const;

export interface AudienceRow {
  readonly grp: number;
  readonly firstMs: number;
  readonly li: string | null;
  readonly cr: string | null;
  readonly convertedMs: number | null;
}

export class LedgerStore {
  private ready = false;

  constructor(private readonly sql: SqlStorage) {}

  private ensure(): void {
    if (this.ready) return;
    const cols = COUNTER_NAMES.map((k) => `${COLUMNS[k]} INTEGER NOT NULL DEFAULT 0`).join(', ');
    this.sql.exec(`CREATE TABLE IF NOT EXISTS counters (hour INTEGER NOT NULL, dim TEXT NOT NULL, ${cols}, PRIMARY KEY (hour, dim)) WITHOUT ROWID`);
    this.sql.exec('CREATE TABLE IF NOT EXISTS notices (key TEXT PRIMARY KEY, kinds INTEGER NOT NULL, exp INTEGER NOT NULL) WITHOUT ROWID');
    this.sql.exec('CREATE INDEX IF NOT EXISTS notices_exp ON notices (exp)');
    this.sql.exec(
      'CREATE TABLE IF NOT EXISTS audience (user TEXT PRIMARY KEY, grp INTEGER NOT NULL, first_ms INTEGER NOT NULL, li TEXT, cr TEXT, converted_ms INTEGER) WITHOUT ROWID',
    );
    this.sql.exec('CREATE INDEX IF NOT EXISTS audience_first ON audience (first_ms)');
    this.ready = true;
  }

  /** Whether the object holds any table yet (a read-only activation creates none). */
  private exists(): boolean {
    if (this.ready) return true;
    const n = this.sql.exec("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'counters'").one().n;
    if (n === 1) this.ready = true;
    return this.ready;
  }

  /** Kinds bitmask remembered for `key` (0 = never seen). */
  kinds(key: string): number {
    if (!this.exists()) return 0;
    const row = this.sql.exec('SELECT kinds FROM notices WHERE key = ?', key).toArray()[0];
    return typeof row?.kinds === 'number' ? row.kinds : 0;
  }

  remember(key: string, kinds: number, expMs: number): void {
    this.ensure();
    this.sql.exec(
      'INSERT INTO notices (key, kinds, exp) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET kinds = excluded.kinds, exp = MAX(exp, excluded.exp)',
      key,
      kinds,
      expMs,
    );
  }

  addCounters(hour: number, dim: string, c: Readonly<Counters>): void {
    this.ensure();
    const names = COUNTER_NAMES.map((k) => COLUMNS[k]);
    this.sql.exec(
      `INSERT INTO counters (hour, dim, ${names.join(', ')}) VALUES (?, ?, ${names.map(() => '?').join(', ')})
       ON CONFLICT (hour, dim) DO UPDATE SET ${names.map((n) => `${n} = ${n} + excluded.${n}`).join(', ')}`,
      hour,
      dim,
      ...COUNTER_NAMES.map((k) => c[k]),
    );
  }

  /** Hourly rows of one dimension in [fromHour, toHour). */
  rows(dim: string, fromHour: number, toHour: number): HourRow[] {
    if (!this.exists()) return [];
    const cursor = this.sql.exec(`SELECT * FROM counters WHERE dim = ? AND hour >= ? AND hour < ? ORDER BY hour`, dim, fromHour, toHour);
    return cursor.toArray().map((r) => {
      const counters = zeroCounters();
      for (const k of COUNTER_NAMES) counters[k] = Number(r[COLUMNS[k]] ?? 0);
      return { hour: Number(r.hour), counters };
    });
  }

  audience(user: string): AudienceRow | null {
    if (!this.exists()) return null;
    const r = this.sql.exec('SELECT grp, first_ms, li, cr, converted_ms FROM audience WHERE user = ?', user).toArray()[0];
    if (!r) return null;
    const str = (v: SqlStorageValue | undefined): string | null => (typeof v === 'string' ? v : null);
    return { grp: Number(r.grp), firstMs: Number(r.first_ms), li: str(r.li), cr: str(r.cr), convertedMs: typeof r.converted_ms === 'number' ? r.converted_ms : null };
  }

  /**
   * Records a user in a group. A user keeps the group they were first seen in (the engine's
   * holdout draw is stable per user, so only a changed holdout share can make them differ);
   * the first time only moves earlier, the line item and creative follow the latest exposure.
   */
  enrol(user: string, grp: number, atMs: number, li: string, cr: string | null): void {
    this.ensure();
    this.sql.exec(
      `INSERT INTO audience (user, grp, first_ms, li, cr) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user) DO UPDATE SET first_ms = MIN(first_ms, excluded.first_ms), li = excluded.li, cr = COALESCE(excluded.cr, cr)
       WHERE grp = excluded.grp`,
      user,
      grp,
      atMs,
      li,
      cr,
    );
  }

  markConverted(user: string, atMs: number): void {
    this.sql.exec('UPDATE audience SET converted_ms = ? WHERE user = ? AND converted_ms IS NULL', atMs, user);
  }

  /** Users and converters per group among those first seen in [fromMs, toMs). */
  cohorts(fromMs: number, toMs: number): Map<number, { users: number; converters: number }> {
    const out = new Map<number, { users: number; converters: number }>();
    if (!this.exists()) return out;
    const cursor = this.sql.exec(
      'SELECT grp, COUNT(*) AS users, COUNT(converted_ms) AS converters FROM audience WHERE first_ms >= ? AND first_ms < ? GROUP BY grp',
      fromMs,
      toMs,
    );
    for (const r of cursor) out.set(Number(r.grp), { users: Number(r.users), converters: Number(r.converters) });
    return out;
  }

  /** Whether the user was erased recently (`PURGE_BLOCK_MS`): nothing about them is recorded. */
  purged(user: string): boolean {
    return this.kinds(`x:${user}`) !== 0;
  }

  /** Deletes everything about these users and blocks them for `PURGE_BLOCK_MS` from `nowMs`. */
  purgeUsers(users: readonly string[], nowMs: number): void {
    this.ensure();
    for (const u of users) {
      this.sql.exec('DELETE FROM audience WHERE user = ?', u);
      // Keys `c:<u>|…`: '|' + 1 is '}', so the range is exactly that prefix.
      this.sql.exec('DELETE FROM notices WHERE key >= ? AND key < ?', `c:${u}|`, `c:${u}}`);
      this.remember(`x:${u}`, 1, nowMs + PURGE_BLOCK_MS);
    }
  }

  /** How many audience rows and conversion keys remain for these users (0 after a purge). */
  userRows(users: readonly string[]): number {
    if (!this.exists()) return 0;
    let n = 0;
    for (const u of users) {
      n += Number(this.sql.exec('SELECT COUNT(*) AS n FROM audience WHERE user = ?', u).one().n);
      n += Number(this.sql.exec('SELECT COUNT(*) AS n FROM notices WHERE key >= ? AND key < ?', `c:${u}|`, `c:${u}}`).one().n);
    }
    return n;
  }

  /** Drops what can no longer matter; returns whether anything is left to prune later. */
  prune(nowMs: number): boolean {
    if (!this.exists()) return false;
    this.sql.exec('DELETE FROM notices WHERE exp < ?', nowMs);
    this.sql.exec('DELETE FROM audience WHERE first_ms < ?', nowMs - AUDIENCE_KEEP_MS);
    const left = this.sql.exec('SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM notices LIMIT 1)) + (SELECT COUNT(*) FROM (SELECT 1 FROM audience LIMIT 1)) AS n').one().n;
    return Number(left) > 0;
  }
}
