/**
 * The profile pipeline's dead letters, for operators (admin token; `/v1/admin/*` is admin-only):
 *
 * - `GET /v1/admin/dlq?limit=100&after=<seq>` — what is waiting and why (`invalid_body`: the
 *   message fails the queue schema; `retries_exhausted`: applying it failed every attempt), with
 *   event id, type, time and advertiser — never the user hash.
 * - `POST /v1/admin/dlq/replay?limit=100[&seq=N…]` — after fixing the cause: sends the oldest
 *   letters (or the named ones) back to `profile-events`; each is removed once queued. Letters
 *   that still fail the schema stay and are listed. Replaying twice is harmless (event ids).
 * - `DELETE /v1/admin/dlq/:seq` — gives up on one letter.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../core/errors';
import { profileEventSchema } from '../core/events/event-batch';
import type { ProfileEvent } from '../core/model';
import { fieldIssues } from '../core/zod-issues';
import { log } from '../log';
import { DEAD_LETTERS_NAME, parseBody } from '../objects/dead-letters';

export const adminDlq = new Hono<{ Bindings: Env }>();

/** Queues take at most 100 messages per sendBatch call. */
const SEND_BATCH_MAX = 100;

const seq = z.coerce.number().int().positive();
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), after: z.coerce.number().int().nonnegative().default(0) });
const replayQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), seq: z.array(seq).max(1000).optional() });

function store(env: Env) {
  return env.DEAD_LETTERS.get(env.DEAD_LETTERS.idFromName(DEAD_LETTERS_NAME));
}

function parseQuery<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError('invalid_request', 'query parameters are invalid', fieldIssues(r.error));
  return r.data;
}

adminDlq.get('/', async (c) => {
  const q = parseQuery(listQuery, { limit: c.req.query('limit'), after: c.req.query('after') });
  return c.json(await store(c.env).list({ limit: q.limit, afterSeq: q.after }));
});

adminDlq.post('/replay', async (c) => {
  const env = c.env;
  const seqs = c.req.queries('seq');
  const q = parseQuery(replayQuery, { limit: c.req.query('limit'), ...(seqs ? { seq: seqs } : {}) });
  const letters = await store(env).take({ limit: q.limit, ...(q.seq ? { seqs: q.seq } : {}) });
  const valid: { seq: number; event: ProfileEvent }[] = [];
  const stillInvalid: number[] = [];
  for (const l of letters) {
    const parsed = profileEventSchema.safeParse(parseBody(l.bodyJson));
    if (parsed.success) valid.push({ seq: l.seq, event: parsed.data });
    else stillInvalid.push(l.seq);
  }
  let replayed = 0;
  try {
    for (let i = 0; i < valid.length; i += SEND_BATCH_MAX) {
      const chunk = valid.slice(i, i + SEND_BATCH_MAX);
      await env.PROFILE_EVENTS.sendBatch(chunk.map((v) => ({ body: v.event, contentType: 'json' as const })));
      // Removed chunk by chunk, so a failure part-way leaves exactly the unsent ones behind.
      replayed += await store(env).remove(chunk.map((v) => v.seq));
    }
  } catch (err) {
    log('error', 'dlq_replay_failed', { error: err instanceof Error ? err.name : 'unknown', replayed });
    throw new AppError('queue_unavailable', 'the dead letters could not be queued again; retry (replays are idempotent)');
  }
  log('info', 'dlq_replayed', { replayed, stillInvalid: stillInvalid.length });
  const { total } = await store(env).list({ limit: 1 });
  return c.json({ replayed, stillInvalid, remaining: total });
});

adminDlq.delete('/:seq', async (c) => {
  const n = parseQuery(z.object({ seq }), { seq: c.req.param('seq') }).seq;
  const removed = await store(c.env).remove([n]);
  if (removed === 0) throw new AppError('not_found', 'no dead letter with that sequence number');
  return c.json({ removed });
});
