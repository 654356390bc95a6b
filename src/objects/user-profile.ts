/**
 * UserProfile: one Durable Object per (hashed) user key. Holds the user's recent events in
 * SQLite, keyed by event id so a redelivered event is applied once, and the snapshot derived
 * from them. The bid path only calls `getSnapshot()`, which never writes (a write would hold
 * the answer behind the output gate).
 */
import { DurableObject } from 'cloudflare:workers';
import { isProfileEventType, type ProfileEvent, type ProfileSnapshot } from '../core/model';
import { buildSnapshot, RETENTION_MS, type HistoryEvent } from '../core/segments/realtime';

/** Bound on stored events per user until counters move to time buckets (profile issue). */
const MAX_EVENTS = 2_000;

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
  private snapshot: ProfileSnapshot | null = null;
  private schemaReady = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Read-only on activation: the bid path activates an object for every user id an exchange
    // sends, and a write here would give each of them storage and hold the answer on the output gate.
    void ctx.blockConcurrencyWhile(async () => {
      this.snapshot = (await this.ctx.storage.get<ProfileSnapshot>('snapshot')) ?? null;
    });
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

  /** Read-only; what the hot path asks for. */
  getSnapshot(): ProfileSnapshot | null {
    return this.snapshot;
  }

  /**
   * Applies a batch of events idempotently (by event id) and re-evaluates the segments.
   * All writes of one call commit together.
   */
  async applyEvents(events: readonly ProfileEvent[]): Promise<ApplyResult> {
    const nowMs = Date.now();
    this.ensureSchema();
    const applied: string[] = [];
    let duplicates = 0;
    const sql = this.ctx.storage.sql;
    for (const e of [...events].sort((a, b) => a.tsMs - b.tsMs)) {
      if (e.tsMs <= nowMs - RETENTION_MS) continue;
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
      sql.exec('DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY ts DESC LIMIT -1 OFFSET ?)', MAX_EVENTS);
      const next = buildSnapshot(this.history(), (this.snapshot?.version ?? 0) + 1, nowMs);
      await this.ctx.storage.put('snapshot', next);
      this.snapshot = next;
    }
    return { applied, duplicates, snapshot: this.snapshot };
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
