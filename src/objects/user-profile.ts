/**
 * UserProfile: one Durable Object per (hashed) user key. Holds the user's recent events in
 * SQLite, keyed by event id so a redelivered event is applied once, and the snapshot derived
 * from them. The bid path only calls `getSnapshot()`, which never writes (a write would hold
 * the answer behind the output gate).
 *
 * The object is the only writer of its user's KV snapshot. One alarm does all deferred work:
 * it writes the newest snapshot behind a change (coalesced, so at most one KV write per second
 * per user, KV's per-key limit), and at the next event's retention expiry it prunes, recomputes,
 * and erases the whole profile, KV copy included, once nothing is left.
 */
import { DurableObject } from 'cloudflare:workers';
import { isProfileEventType, type ProfileEvent, type ProfileSnapshot } from '../core/model';
import { buildSnapshot, RETENTION_MS, type HistoryEvent } from '../core/segments/realtime';
import { parseSnapshot, SNAPSHOT_TTL_SEC } from '../core/segments/snapshot-schema';
import { log } from '../log';

/** Bound on stored views and cart adds per user until counters move to time buckets (profile issue). */
export const MAX_EVENTS = 2_000;
/** Purchases and conversions have their own bound, so no flood of views can un-suppress a buyer. */
export const MAX_CONVERSIONS = 500;
/** Changes within this delay share one KV write; it also spaces writes to KV's ~1/s per key. */
export const WRITE_BEHIND_MS = 1_000;
const MAX_WRITE_BACKOFF_MS = 60_000;

const CONVERSIONS = "type IN ('purchase', 'conversion')";
const KEY = { snapshot: 'snapshot', userHash: 'userHash', writtenVersion: 'kvVersion' } as const;

export interface ApplyResult {
  /** Ids newly applied by this call (the rest were duplicates or out of retention). */
  readonly applied: readonly string[];
  readonly duplicates: number;
  /** The snapshot after the call; null when the profile holds nothing. */
  readonly snapshot: ProfileSnapshot | null;
}

interface EventRow extends Record<string, SqlStorageValue> {
  id: string;
  type: string;
  ts: number;
  advertiser_id: string | null;
  product_id: string | null;
  value_micros: number | null;
}

export class UserProfile extends DurableObject<Env> {
  private snapshot: ProfileSnapshot | null;
  /** The KV key; stored by the first write, since an object cannot learn its name from its id. */
  private userHash: string | undefined;
  private schemaReady = false;
  /** Consecutive failed KV calls, for the alarm's backoff; memory is enough (a restart retries sooner). */
  private kvFailures = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Read-only on activation: the bid path activates an object for every user id an exchange
    // sends, and a write here would give each of them storage and hold the answer on the output gate.
    // The synchronous API reads SQLite in-thread, so no other event can run before this is done.
    const hash = ctx.storage.kv.get(KEY.userHash);
    this.userHash = typeof hash === 'string' ? hash : undefined;
    const raw = ctx.storage.kv.get(KEY.snapshot);
    this.snapshot = raw === undefined ? null : (parseSnapshot(raw) ?? this.rebuildUnparsed(raw));
  }

  /** Read-only; what the hot path asks for. */
  getSnapshot(): ProfileSnapshot | null {
    return this.snapshot;
  }

  /**
   * Applies a batch of events idempotently (by event id), re-evaluates the segments and
   * schedules the KV write behind. All writes of one call commit together.
   */
  async applyEvents(userHash: string, events: readonly ProfileEvent[]): Promise<ApplyResult> {
    // A wrong key would make this object overwrite another user's KV snapshot.
    if (!this.ctx.id.equals(this.env.USER_PROFILE.idFromName(userHash))) throw new Error('user hash does not name this object');
    // Read before the first write: no await may fall between the writes, so they commit as one.
    const alarmAt = await this.ctx.storage.getAlarm();
    const nowMs = Date.now();
    const fresh = events.filter((e) => e.tsMs > nowMs - RETENTION_MS).sort((a, b) => a.tsMs - b.tsMs);
    // Nothing in retention: write nothing, not even the table (nothing would ever sweep it).
    if (fresh.length === 0) return { applied: [], duplicates: 0, snapshot: this.snapshot };
    this.ensureSchema();
    const applied: string[] = [];
    let duplicates = 0;
    const sql = this.ctx.storage.sql;
    for (const e of fresh) {
      const res = sql.exec(
        'INSERT OR IGNORE INTO events (id, type, ts, advertiser_id, product_id, value_micros) VALUES (?, ?, ?, ?, ?, ?)',
        e.id,
        e.type,
        e.tsMs,
        e.advertiserId ?? null,
        e.productId ?? null,
        e.valueMicros ?? null,
      );
      if (res.rowsWritten > 0) applied.push(e.id);
      else duplicates++;
    }
    if (applied.length > 0) {
      sql.exec('DELETE FROM events WHERE ts <= ?', nowMs - RETENTION_MS);
      // Oldest first within each class: conversions are never evicted to make room for views.
      for (const [where, cap] of [[`NOT ${CONVERSIONS}`, MAX_EVENTS], [CONVERSIONS, MAX_CONVERSIONS]] as const) {
        sql.exec(`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ${where} ORDER BY ts DESC LIMIT -1 OFFSET ?)`, cap);
      }
      if (this.userHash === undefined) {
        this.ctx.storage.kv.put(KEY.userHash, userHash);
        this.userHash = userHash;
      }
      this.commitSnapshot(buildSnapshot(this.history(), this.version() + 1, nowMs));
      // Keep an earlier alarm (a write already pending coalesces this change); one at or before
      // now may be the alarm that is running right now, which is cleared when it returns.
      const due = Math.min(nowMs + WRITE_BEHIND_MS, this.nextExpiry());
      if (alarmAt === null || alarmAt <= nowMs || alarmAt > due) await this.ctx.storage.setAlarm(due);
    }
    return { applied, duplicates, snapshot: this.snapshot };
  }

  /**
   * The deferred work: prune what left the retention, write the newest snapshot to KV, or erase
   * the profile when nothing is left. A failed KV call is rescheduled here with our own backoff
   * rather than thrown: the platform gives up on an alarm after a few retries, and then the KV
   * copy would stay stale (or an expired profile undeleted) until the user's next event.
   */
  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    if (this.hasEventTable()) this.ctx.storage.sql.exec('DELETE FROM events WHERE ts <= ?', nowMs - RETENTION_MS);
    if (this.eventCount() === 0) {
      await this.erase();
      return;
    }
    this.ensureSchema();
    const rebuilt = buildSnapshot(this.history(), this.version(), nowMs);
    // Memberships and conversions may have lapsed with the pruned events; only a real change is a new version.
    if (this.snapshot === null || !sameContent(rebuilt, this.snapshot)) this.commitSnapshot({ ...rebuilt, version: this.version() + 1 });
    let retryAt: number | null = null;
    const latest = this.snapshot;
    if (latest !== null && latest.version > this.writtenVersion() && this.userHash !== undefined) {
      try {
        await this.env.PROFILE_SNAPSHOTS.put(this.userHash, JSON.stringify(latest), { expirationTtl: SNAPSHOT_TTL_SEC });
        // Writes happen one alarm at a time, each of the newest version, so KV never moves backwards.
        this.ctx.storage.kv.put(KEY.writtenVersion, latest.version);
        this.kvFailures = 0;
      } catch (err) {
        retryAt = this.kvBackoff(nowMs, err);
      }
    }
    // An apply may have landed while KV was being written: that newer version waits its turn.
    const afterMs = Date.now();
    const pending = this.version() > this.writtenVersion() && this.userHash !== undefined;
    await this.schedule(retryAt ?? (pending ? afterMs + WRITE_BEHIND_MS : null), afterMs);
  }

  /** Deletes the KV copy, then every stored byte, so a lapsed profile leaves no data. */
  private async erase(): Promise<void> {
    // The events are gone: stop serving what was built from them now, not after KV answers (it
    // may be slow or failing for a while). With the written version forgotten too, a profile
    // restarted by events arriving meanwhile gets its KV copy written afresh.
    this.ctx.storage.kv.delete(KEY.snapshot);
    this.ctx.storage.kv.delete(KEY.writtenVersion);
    this.snapshot = null;
    if (this.userHash !== undefined) {
      try {
        await this.env.PROFILE_SNAPSHOTS.delete(this.userHash);
      } catch (err) {
        await this.schedule(this.kvBackoff(Date.now(), err), Date.now());
        return;
      }
      // Events may have arrived while KV was called (the input gate was open): then the profile lives on.
      if (this.eventCount() > 0) {
        await this.schedule(Date.now() + WRITE_BEHIND_MS, Date.now());
        return;
      }
    }
    // Issued together, so no other event can slip in between the two.
    await Promise.all([this.ctx.storage.deleteAlarm(), this.ctx.storage.deleteAll()]);
    this.snapshot = null;
    this.userHash = undefined;
    this.schemaReady = false;
    this.kvFailures = 0;
  }

  private kvBackoff(nowMs: number, err: unknown): number {
    this.kvFailures++;
    const delayMs = Math.min(MAX_WRITE_BACKOFF_MS, 1_000 * 2 ** this.kvFailures);
    log('warn', 'profile_snapshot_kv_retry', { error: err instanceof Error ? err.name : 'unknown', failures: this.kvFailures, delayMs });
    return nowMs + delayMs;
  }

  /** Sets the alarm to the earlier of `writeAtMs` and the next expiry, unless an alarm is already due sooner. */
  private async schedule(writeAtMs: number | null, nowMs: number): Promise<void> {
    const due = Math.min(writeAtMs ?? Infinity, this.nextExpiry());
    const current = await this.ctx.storage.getAlarm();
    if (!Number.isFinite(due)) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current === null || current <= nowMs || current > due) {
      await this.ctx.storage.setAlarm(due);
    }
  }

  /** When the oldest stored event leaves the retention (Infinity when none is stored). */
  private nextExpiry(): number {
    if (!this.hasEventTable()) return Infinity;
    const oldest = this.ctx.storage.sql.exec<{ ts: number | null }>('SELECT MIN(ts) AS ts FROM events').one().ts;
    return oldest === null ? Infinity : oldest + RETENTION_MS;
  }

  private commitSnapshot(next: ProfileSnapshot): void {
    this.ctx.storage.kv.put(KEY.snapshot, next);
    this.snapshot = next;
  }

  private version(): number {
    return this.snapshot?.version ?? 0;
  }

  private writtenVersion(): number {
    const v = this.ctx.storage.kv.get(KEY.writtenVersion);
    return typeof v === 'number' ? v : 0;
  }

  /**
   * A stored snapshot an older deploy wrote in another shape is not trusted: rebuilt in memory
   * from the events (read-only; the next write stores it), under a version above any it had.
   */
  private rebuildUnparsed(raw: unknown): ProfileSnapshot | null {
    if (this.eventCount() === 0) return null;
    const old = typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'number' ? raw.version : 0;
    const base = Math.max(Number.isSafeInteger(old) ? old : 0, this.writtenVersion());
    log('warn', 'profile_snapshot_unparsed');
    return buildSnapshot(this.history(), base + 1, Date.now());
  }

  /** The event table is created by the first write, never by a read. */
  private ensureSchema(): void {
    if (this.schemaReady) return;
    this.ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS events (
         id TEXT PRIMARY KEY, type TEXT NOT NULL, ts INTEGER NOT NULL,
         advertiser_id TEXT, product_id TEXT, value_micros INTEGER)`,
    );
    this.ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS events_ts ON events (ts)');
    this.schemaReady = true;
  }

  /** Read-only existence check, so reads and the alarm never create the table. */
  private hasEventTable(): boolean {
    if (this.schemaReady) return true;
    return this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").toArray().length > 0;
  }

  private eventCount(): number {
    if (!this.hasEventTable()) return 0;
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM events').one().n;
  }

  private history(): HistoryEvent[] {
    return this.ctx.storage.sql
      .exec<EventRow>('SELECT id, type, ts, advertiser_id, product_id, value_micros FROM events ORDER BY ts')
      .toArray()
      .flatMap((r) => {
        const type = r.type;
        // Rows were written from validated events; a type a later deploy no longer knows is skipped.
        return isProfileEventType(type) ? [{ ...r, type }] : [];
      })
      .map((r) => ({
        id: r.id,
        type: r.type,
        tsMs: r.ts,
        ...(r.advertiser_id !== null ? { advertiserId: r.advertiser_id } : {}),
        ...(r.product_id !== null ? { productId: r.product_id } : {}),
        ...(r.value_micros !== null ? { valueMicros: r.value_micros } : {}),
      }));
  }
}

/** Same memberships and conversions, whatever the key order and `updatedAtMs`. */
function sameContent(a: ProfileSnapshot, b: ProfileSnapshot): boolean {
  const canonical = (r: Readonly<Record<string, unknown>>): string =>
    JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]));
  return canonical(a.segments) === canonical(b.segments) && canonical(a.conversions) === canonical(b.conversions);
}
