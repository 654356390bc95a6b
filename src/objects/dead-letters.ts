/**
 * DeadLetters: where profile events that could not be applied wait for a person — one object
 * (the queue's dead letters are few, or something is badly wrong), SQLite-backed. The DLQ
 * consumer stores every message the queue dead-letters; operators list them and replay them
 * (`GET /v1/admin/dlq`, `POST /v1/admin/dlq/replay`, `npm run dlq:replay`) once the cause is fixed.
 *
 * Letters hold events of real users (pseudonymous hashes): they are kept at most
 * {@link DEAD_LETTER_RETENTION_MS}, bounded in number, and an erase removes a person's letters.
 */
import { DurableObject } from 'cloudflare:workers';
import { profileEventSchema } from '../core/events/event-batch';
import { DAY_MS } from '../core/profile/retention';
import { log } from '../log';

/** Longer than the queue's own DLQ retention (4 days), so nothing dead-lettered expires unseen over a long weekend. */
export const DEAD_LETTER_RETENTION_MS = 14 * DAY_MS;
export const MAX_DEAD_LETTERS = 100_000;
/** The one object's name. */
export const DEAD_LETTERS_NAME = 'profile-events';

export type DeadLetterReason = 'invalid_body' | 'retries_exhausted';

export interface IncomingLetter {
  readonly messageId: string;
  readonly body: unknown;
  readonly attempts: number;
}

/** What an operator sees of a letter: no user hash, no product names; enough to find the cause. */
export interface DeadLetterSummary {
  readonly seq: number;
  readonly reason: DeadLetterReason;
  readonly receivedAtMs: number;
  readonly attempts: number;
  readonly eventId?: string;
  readonly type?: string;
  readonly tsMs?: number;
  readonly advertiserId?: string;
}

interface LetterRow extends Record<string, SqlStorageValue> {
  seq: number;
  body: string;
  reason: string;
  received_ms: number;
  attempts: number;
}

export class DeadLetters extends DurableObject<Env> {
  private schemaReady = false;

  /** Stores letters (a redelivered message id is stored once); returns how many were new. */
  async add(letters: readonly IncomingLetter[]): Promise<number> {
    this.ensureSchema();
    const nowMs = Date.now();
    let added = 0;
    this.ctx.storage.transactionSync(() => {
      for (const l of letters) {
        const parsed = profileEventSchema.safeParse(l.body);
        const reason: DeadLetterReason = parsed.success ? 'retries_exhausted' : 'invalid_body';
        const res = this.ctx.storage.sql.exec(
          'INSERT OR IGNORE INTO letters (message_id, body, user_hash, reason, received_ms, attempts) VALUES (?, ?, ?, ?, ?, ?)',
          l.messageId,
          JSON.stringify(l.body === undefined ? null : l.body),
          userHashOf(l.body),
          reason,
          nowMs,
          l.attempts,
        );
        added += res.rowsWritten > 0 ? 1 : 0;
      }
      const over = this.count() - MAX_DEAD_LETTERS;
      if (over > 0) {
        this.ctx.storage.sql.exec('DELETE FROM letters WHERE seq IN (SELECT seq FROM letters ORDER BY seq LIMIT ?)', over);
        log('error', 'dead_letters_evicted', { letters: over });
      }
    });
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(nowMs + DAY_MS);
    return added;
  }

  list(opts: { readonly limit: number; readonly afterSeq?: number }): { total: number; letters: DeadLetterSummary[] } {
    if (!this.hasTable()) return { total: 0, letters: [] };
    const rows = this.ctx.storage.sql
      .exec<LetterRow>('SELECT seq, body, reason, received_ms, attempts FROM letters WHERE seq > ? ORDER BY seq LIMIT ?', opts.afterSeq ?? 0, opts.limit)
      .toArray();
    return { total: this.count(), letters: rows.map(summary) };
  }

  /** The oldest letters (or the given ones) as stored JSON text, for replay; they stay until `remove`. */
  take(opts: { readonly limit: number; readonly seqs?: readonly number[] }): { seq: number; bodyJson: string }[] {
    if (!this.hasTable()) return [];
    const rows =
      opts.seqs === undefined
        ? this.ctx.storage.sql.exec<LetterRow>('SELECT seq, body FROM letters ORDER BY seq LIMIT ?', opts.limit).toArray()
        : opts.seqs.slice(0, opts.limit).flatMap((s) => this.ctx.storage.sql.exec<LetterRow>('SELECT seq, body FROM letters WHERE seq = ?', s).toArray());
    return rows.map((r) => ({ seq: r.seq, bodyJson: r.body }));
  }

  remove(seqs: readonly number[]): number {
    if (!this.hasTable()) return 0;
    let removed = 0;
    this.ctx.storage.transactionSync(() => {
      for (const s of seqs) removed += this.ctx.storage.sql.exec('DELETE FROM letters WHERE seq = ?', s).rowsWritten;
    });
    return removed;
  }

  /** An erased person's letters go with the rest of their data. */
  purgeUsers(userHashes: readonly string[]): number {
    if (!this.hasTable()) return 0;
    let removed = 0;
    this.ctx.storage.transactionSync(() => {
      for (const h of userHashes) removed += this.ctx.storage.sql.exec('DELETE FROM letters WHERE user_hash = ?', h).rowsWritten;
    });
    return removed;
  }

  override async alarm(): Promise<void> {
    if (!this.hasTable()) return;
    const expired = this.ctx.storage.sql.exec('DELETE FROM letters WHERE received_ms <= ?', Date.now() - DEAD_LETTER_RETENTION_MS).rowsWritten;
    if (expired > 0) log('warn', 'dead_letters_expired', { letters: expired });
    if (this.count() > 0) await this.ctx.storage.setAlarm(Date.now() + DAY_MS);
  }

  private count(): number {
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM letters').one().n;
  }

  private ensureSchema(): void {
    if (this.schemaReady) return;
    this.ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS letters (
         seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL,
         user_hash TEXT, reason TEXT NOT NULL, received_ms INTEGER NOT NULL, attempts INTEGER NOT NULL)`,
    );
    this.ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS letters_user ON letters (user_hash)');
    this.schemaReady = true;
  }

  private hasTable(): boolean {
    if (this.schemaReady) return true;
    return this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'letters'").toArray().length > 0;
  }
}

/** From the raw body, valid or not: an erase must find every letter that names the person. */
function userHashOf(body: unknown): string | null {
  return typeof body === 'object' && body !== null && 'userHash' in body && typeof body.userHash === 'string' ? body.userHash : null;
}

export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function summary(r: LetterRow): DeadLetterSummary {
  const body = parseBody(r.body);
  const parsed = profileEventSchema.safeParse(body);
  return {
    seq: r.seq,
    reason: r.reason === 'invalid_body' ? 'invalid_body' : 'retries_exhausted',
    receivedAtMs: r.received_ms,
    attempts: r.attempts,
    ...(parsed.success
      ? {
          eventId: parsed.data.id,
          type: parsed.data.type,
          tsMs: parsed.data.tsMs,
          ...(parsed.data.advertiserId !== undefined ? { advertiserId: parsed.data.advertiserId } : {}),
        }
      : {}),
  };
}
