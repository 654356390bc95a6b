/**
 * KnownUsers: the directory of every user hash that has (or had) a profile — one object named
 * {@link KNOWN_USERS_NAME}, SQLite-backed. It publishes a Bloom filter of those hashes to KV so
 * the edge can answer an id with no profile without a Durable Object call (README, "When no
 * Durable Object call is safe").
 *
 * The filter may say "maybe" for an id it never saw, never "absent" for one it did: the profile
 * consumer adds a batch's ids here before it applies the batch, and the opt-out route before it
 * answers, so no profile exists that the directory does not list.
 *
 * Publishing (only the alarm writes KV, so writes never race each other):
 * - base `known-users:base`: the whole filter, rewritten at most once a minute when anything was
 *   added or removed, and sooner (at most once a second) once more than ~2,000 ids wait in the
 *   recent list. A removal (erase) leaves its bits set until the next base, which is rebuilt
 *   from the rows; so is a base whose ids passed its capacity, at twice the capacity.
 * - recent `known-users:recent`: the ids added since that base, rewritten at most once a second
 *   (KV's limit per key) when something changed. After a new base it waits out that second too:
 *   until it names the new base, edges keep combining the old base with the old list, a consistent
 *   pair (an edge never pairs a list with a base of another version).
 * A failed KV write is retried by the alarm with backoff; nothing is lost, the rows are the truth.
 * Every base attempt takes a fresh version, reserved in storage before the put: a put that lands
 * but reports an error is never followed by other bytes under the same version.
 *
 * At scale this one object (about 1,000 adds/s, one batch per consumer batch) becomes N objects
 * named by the first characters of the hash, each publishing its own pair of keys; the edge reads
 * the N recent lists and checks the one the hash's prefix names.
 */
import { DurableObject } from 'cloudflare:workers';
import { createFilter, type KnownUsersFilter } from '../core/identity/known-users-filter';
import { config } from '../http/config';
import { log } from '../log';
import { KNOWN_USERS_BASE_KEY, KNOWN_USERS_RECENT_KEY } from '../store/profile-kv-keys';
import { KNOWN_USERS_VALUE_VERSION, MAX_RECENT_HASHES, type BaseMetadata, type RecentValue } from '../store/known-users-values';

/** The one directory object's name. */
export const KNOWN_USERS_NAME = 'all';
/** KV allows about one write per second per key. */
export const RECENT_INTERVAL_MS = 1_000;
export const BASE_INTERVAL_MS = 60_000;
/** Past this many ids since the base, the next alarm writes a new base instead of a longer list. */
export const RECENT_ROLLOVER = 2_000;
const MAX_BACKOFF_MS = 60_000;
/** About 24 MB of filter: what one KV value holds (25 MiB). Past it, shard (see above). */
const MAX_CAPACITY = 20_000_000;
/** Hashes as the edge makes them are 43 characters; the event schema allows up to 128. */
const MAX_HASH_CHARS = 128;

type MetaKey =
  | 'nextSeq'
  | 'count'
  | 'nextBaseVersion'
  | 'baseVersion'
  | 'baseSeq'
  | 'baseAtMs'
  | 'capacity'
  | 'recentAtMs'
  | 'recentDirty'
  | 'removals'
  | 'baseRemovals';

export class KnownUsers extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /**
   * The filter of every row, at `filterCapacity`: built by the first base of an activation (a scan
   * of every row, kept off add(), the consumer's path), then kept in step with adds.
   */
  private filter: KnownUsersFilter | null = null;
  private filterCapacity = 0;
  /** Changes since activation; a publish clears the dirty flag only if none came in during its write. */
  private changes = 0;
  /** Consecutive failed publishes and when to try again (memory: a restart just retries sooner). */
  private failures = 0;
  private retryAtMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS known (hash TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID');
    this.sql.exec('CREATE INDEX IF NOT EXISTS known_seq ON known (seq)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)');
    // Objects from before the count was kept count their rows once.
    if (this.meta('count', -1) === -1) this.setMeta('count', this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM known').one().n);
  }

  /** Lists `hashes` (insert-or-ignore); returns how many were new. Publishing follows within a second. */
  async add(hashes: readonly string[]): Promise<{ added: number }> {
    const fresh = [...new Set(hashes)].filter((h) => h.length > 0 && h.length <= MAX_HASH_CHARS);
    if (fresh.length === 0) return { added: 0 };
    let added = 0;
    this.ctx.storage.transactionSync(() => {
      let seq = this.meta('nextSeq', 1);
      for (const h of fresh) {
        if (this.sql.exec('INSERT OR IGNORE INTO known (hash, seq) VALUES (?, ?)', h, seq).rowsWritten === 0) continue;
        // A rolled-back transaction leaves extra bits: a "maybe" too many, never an id missing.
        this.filter?.add(h);
        seq++;
        added++;
      }
      if (added > 0) {
        this.setMeta('nextSeq', seq);
        this.setMeta('count', this.count() + added);
        this.setMeta('recentDirty', 1);
      }
    });
    if (added > 0) {
      this.changes++;
      await this.schedule();
    }
    return { added };
  }

  /** Erase: drops the rows. The published filter keeps their bits until the next base (a wasted read, no data). */
  async remove(hashes: readonly string[]): Promise<{ removed: number }> {
    let removed = 0;
    this.ctx.storage.transactionSync(() => {
      for (const h of new Set(hashes)) removed += this.sql.exec('DELETE FROM known WHERE hash = ?', h).rowsWritten > 0 ? 1 : 0;
      if (removed > 0) {
        this.setMeta('count', Math.max(0, this.count() - removed));
        this.setMeta('removals', this.meta('removals', 0) + 1);
        this.setMeta('recentDirty', 1);
      }
    });
    if (removed > 0) {
      this.changes++;
      await this.schedule();
    }
    return { removed };
  }

  /** How many of `hashes` are listed (the erase's read-back; tests). */
  listed(hashes: readonly string[]): number {
    let n = 0;
    for (const h of new Set(hashes)) n += this.sql.exec('SELECT 1 FROM known WHERE hash = ?', h).toArray().length;
    return n;
  }

  /** What is published and pending, for operators and tests. */
  status(): { count: number; capacity: number; baseVersion: number; recentPending: number; recentDirty: boolean } {
    const baseSeq = this.meta('baseSeq', 0);
    return {
      count: this.count(),
      capacity: this.meta('capacity', this.configuredCapacity()),
      baseVersion: this.meta('baseVersion', 0),
      recentPending: this.countSince(baseSeq),
      recentDirty: this.meta('recentDirty', 0) === 1,
    };
  }

  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    try {
      if (this.baseDueMs(nowMs) <= nowMs) await this.publishBase();
      else if (this.recentDueMs() <= nowMs) await this.publishRecent(nowMs);
      this.failures = 0;
      this.retryAtMs = 0;
    } catch (err) {
      this.failures++;
      const delayMs = Math.min(MAX_BACKOFF_MS, 2_000 * 2 ** (this.failures - 1));
      this.retryAtMs = nowMs + delayMs;
      log('warn', 'known_users_publish_failed', { error: err instanceof Error ? err.name : 'unknown', retryInMs: delayMs });
    }
    await this.schedule();
  }

  // ---- publishing ------------------------------------------------------------------------

  private async publishBase(): Promise<void> {
    const count = this.count();
    let capacity = Math.max(this.meta('capacity', 0), this.configuredCapacity());
    while (count > capacity && capacity < MAX_CAPACITY) capacity = Math.min(MAX_CAPACITY, capacity * 2);
    const removals = this.meta('removals', 0);
    const rebuild = this.filter === null || this.filterCapacity !== capacity || removals !== this.meta('baseRemovals', 0);
    const filter = this.filter !== null && !rebuild ? this.filter : this.rebuild(capacity);
    // Everything up to here is in the bytes; adds during the write below land in the next list.
    const baseSeq = this.meta('nextSeq', 1) - 1;
    const version = this.reserveBaseVersion();
    const metadata: BaseMetadata = { v: KNOWN_USERS_VALUE_VERSION, version, count };
    await this.env.PROFILE_SNAPSHOTS.put(KNOWN_USERS_BASE_KEY, filter.toBytes(), { metadata });
    this.ctx.storage.transactionSync(() => {
      this.setMeta('baseVersion', version);
      this.setMeta('baseSeq', baseSeq);
      this.setMeta('baseAtMs', Date.now());
      this.setMeta('capacity', capacity);
      this.setMeta('baseRemovals', removals);
      // The list naming this base follows once the recent key's second has passed (schedule()).
      this.setMeta('recentDirty', 1);
    });
    if (rebuild) log('info', 'known_users_base_rebuilt', { count, capacity, version });
  }

  /**
   * A version no earlier attempt used. Its row is written before the put goes out (the output gate
   * holds the put until the write is durable), so neither a put that landed but reported an error
   * nor a reset before the commit lets a retry publish other bytes under a version an edge may hold.
   * Versions may skip; the edge only compares them for equality.
   */
  private reserveBaseVersion(): number {
    return this.ctx.storage.transactionSync(() => {
      const version = Math.max(this.meta('nextBaseVersion', 1), this.meta('baseVersion', 0) + 1);
      this.setMeta('nextBaseVersion', version + 1);
      return version;
    });
  }

  private async publishRecent(nowMs: number): Promise<void> {
    const baseVersion = this.meta('baseVersion', 0);
    if (baseVersion === 0) {
      // Nothing listed yet (all removed before the first base): nothing to publish.
      this.setMeta('recentDirty', 0);
      return;
    }
    const hashes = this.sql
      .exec<{ hash: string }>('SELECT hash FROM known WHERE seq > ? ORDER BY seq', this.meta('baseSeq', 0))
      .toArray()
      .map((r) => r.hash);
    if (hashes.length > MAX_RECENT_HASHES) {
      // Never publish a cut list (it would miss ids): let edges' copies age out and read the objects.
      throw new Error('recent list too long; waiting for a new base');
    }
    const changesBefore = this.changes;
    const value: RecentValue = { v: KNOWN_USERS_VALUE_VERSION, baseVersion, hashes, publishedAtMs: nowMs };
    await this.env.PROFILE_SNAPSHOTS.put(KNOWN_USERS_RECENT_KEY, JSON.stringify(value));
    // From the end of the write: the next one is at least a second after this one reached KV.
    this.setMeta('recentAtMs', Date.now());
    if (this.changes === changesBefore) this.setMeta('recentDirty', 0);
  }

  // ---- scheduling ------------------------------------------------------------------------

  /** When a new base is due: the first one at once, then by the rules in the module comment. */
  private baseDueMs(nowMs: number): number {
    const baseVersion = this.meta('baseVersion', 0);
    if (baseVersion === 0) return this.count() > 0 ? nowMs : Infinity;
    const baseAtMs = this.meta('baseAtMs', 0);
    const pending = this.countSince(this.meta('baseSeq', 0));
    const capacity = this.meta('capacity', MAX_CAPACITY);
    if (pending >= RECENT_ROLLOVER || (this.count() > capacity && capacity < MAX_CAPACITY)) return baseAtMs + RECENT_INTERVAL_MS;
    const removed = this.meta('removals', 0) !== this.meta('baseRemovals', 0);
    return pending > 0 || removed ? baseAtMs + BASE_INTERVAL_MS : Infinity;
  }

  private recentDueMs(): number {
    return this.meta('recentDirty', 0) === 1 ? this.meta('recentAtMs', 0) + RECENT_INTERVAL_MS : Infinity;
  }

  private async schedule(): Promise<void> {
    const nowMs = Date.now();
    let dueMs = Math.min(this.baseDueMs(nowMs), this.recentDueMs());
    if (!Number.isFinite(dueMs)) return;
    dueMs = Math.max(dueMs, this.retryAtMs, nowMs);
    const alarmAt = await this.ctx.storage.getAlarm();
    // One at or before now may be the alarm running right now, which is cleared when it returns.
    if (alarmAt === null || alarmAt <= nowMs || alarmAt > dueMs) await this.ctx.storage.setAlarm(dueMs);
  }

  // ---- storage ---------------------------------------------------------------------------

  private rebuild(capacity: number): KnownUsersFilter {
    const filter = createFilter(capacity);
    for (const row of this.sql.exec<{ hash: string }>('SELECT hash FROM known')) filter.add(row.hash);
    this.filter = filter;
    this.filterCapacity = capacity;
    return filter;
  }

  private configuredCapacity(): number {
    return config(this.env).knownUsersCapacity;
  }

  /** Kept in meta by add() and remove(), in their transactions: no scan of the table. */
  private count(): number {
    return this.meta('count', 0);
  }

  private countSince(seq: number): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM known WHERE seq > ?', seq).one().n;
  }

  private meta(key: MetaKey, fallback: number): number {
    const row = this.sql.exec<{ value: number }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0];
    return row?.value ?? fallback;
  }

  private setMeta(key: MetaKey, value: number): void {
    this.sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
  }
}
