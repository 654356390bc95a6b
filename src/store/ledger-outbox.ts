/**
 * Everything the edge sends the campaign ledgers, through the `ledger-events` queue: tracking
 * hits (one message each, from the tracking route), and what the bid path tells them after
 * answering — bid counts (with the pacing probability each bid was let through with, which the
 * ledger needs to estimate demand) and held-out users (lift's control group). Per isolate,
 * decisions are summed in memory and sent as one `decisions` message about once a second
 * (`LEDGER_FLUSH_MS`), from the request's `waitUntil` — never a Durable Object call or a queue
 * send per bid.
 *
 * Trade-off: counts still in memory when an isolate is evicted (at most one flush interval of
 * that isolate's traffic) are lost; they are bid counts and control-group members, not money.
 */
import type { SlotDecision } from '../core/engine/decide';
import { AppError } from '../core/errors';
import { conversionMessages, type BidRow, type DecisionsMessage, type HitMessage, type HoldoutRow } from '../core/ledger/messages';
import { noticePrice } from '../core/ledger/notice';
import type { ProfileEvent } from '../core/model';
import { log } from '../log';
import type { RequestPacing } from './pacing';

export const DEFAULT_FLUSH_MS = 1_000;
/** Rows per message, well under the queue's 128 KB message limit. */
const MAX_ROWS = 500;
/** Queues take at most 100 messages per sendBatch call. */
const SEND_BATCH_MAX = 100;

export interface OutboxTarget {
  readonly LEDGER_EVENTS: Queue;
  readonly LEDGER_FLUSH_MS?: string;
}

interface Buffer {
  readonly startedAtMs: number;
  readonly bids: Map<string, { cmp: string; li: string; cr: string; n: number; w: number }>;
  readonly holdouts: Map<string, HoldoutRow>;
}

let buffer: Buffer | null = null;

function flushMs(env: OutboxTarget): number {
  const n = Number(env.LEDGER_FLUSH_MS);
  return env.LEDGER_FLUSH_MS !== undefined && env.LEDGER_FLUSH_MS !== '' && Number.isFinite(n) && n >= 0 ? n : DEFAULT_FLUSH_MS;
}

/**
 * Adds one request's decisions; sends the isolate's sums when they are due. `userHash` is null
 * when ids may not be used (then no one is held out either).
 */
export function recordDecisions(
  env: OutboxTarget,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
  decisions: readonly SlotDecision[],
  userHash: string | null,
  pacing: RequestPacing,
  nowMs: number,
): void {
  const buf: Buffer = (buffer ??= { startedAtMs: nowMs, bids: new Map(), holdouts: new Map() });
  for (const d of decisions) {
    if (d.kind === 'bid') {
      const cmp = d.lineItem.campaign.id;
      const li = d.lineItem.item.id;
      const cr = d.creative.id;
      const p = pacing.probability(cmp);
      const key = `${cmp}|${li}|${cr}`;
      const row = buf.bids.get(key) ?? { cmp, li, cr, n: 0, w: 0 };
      row.n += 1;
      row.w += p > 0 ? 1 / p : 1;
      buf.bids.set(key, row);
    }
    if (d.heldOut && userHash !== null) buf.holdouts.set(`${d.heldOut.campaignId}|${userHash}`, { cmp: d.heldOut.campaignId, li: d.heldOut.lineItemId, u: userHash });
  }
  const due = nowMs - buf.startedAtMs >= flushMs(env) || buf.bids.size >= MAX_ROWS || buf.holdouts.size >= MAX_ROWS;
  if (!due || (buf.bids.size === 0 && buf.holdouts.size === 0)) return;
  buffer = null;
  ctx.waitUntil(send(env, buf));
}

async function send(env: OutboxTarget, buf: Buffer): Promise<void> {
  const bids: BidRow[] = [...buf.bids.values()];
  const holdouts = [...buf.holdouts.values()];
  const messages: DecisionsMessage[] = [];
  for (let i = 0; i < Math.max(bids.length, holdouts.length); i += MAX_ROWS) {
    messages.push({ t: 'decisions', id: crypto.randomUUID(), ts: buf.startedAtMs, bids: bids.slice(i, i + MAX_ROWS), holdouts: holdouts.slice(i, i + MAX_ROWS) });
  }
  try {
    await env.LEDGER_EVENTS.sendBatch(messages.map((body) => ({ body, contentType: 'json' as const })));
  } catch (err) {
    log('warn', 'ledger_outbox_send_failed', { error: err instanceof Error ? err.name : 'unknown', bids: bids.length, holdouts: holdouts.length });
  }
}

/** The token fields a hit carries to the ledger (a verified tracking token's payload). */
export interface TrackedHit {
  readonly k: HitMessage['k'];
  readonly b: string;
  readonly i: string;
  readonly li: string;
  readonly cr: string;
  readonly cmp: string;
  readonly adv: string;
  readonly u?: string | undefined;
  /** Bid price, CPM micros. */
  readonly p: number;
  readonly exp: number;
}

/**
 * Queues one verified tracking hit for its campaign's ledger. Win and billing notices charge
 * the exchange's clearing price from `price` when it is usable, else the bid price. A notice
 * that cannot be queued is answered 503 (the exchange may send it again: the ledger counts a
 * placement's notice once); a pixel or click that cannot be queued is logged and still served.
 */
export async function sendHit(env: OutboxTarget, hit: TrackedHit, priceParam: string | undefined, nowMs: number): Promise<void> {
  const notice = hit.k === 'win' || hit.k === 'bill';
  const price = notice ? noticePrice(priceParam, hit.p) : null;
  if (price?.issue !== undefined && price.issue !== 'missing') log('info', 'notice_price_unused', { reason: price.issue });
  const body: HitMessage = {
    t: 'hit',
    k: hit.k,
    b: hit.b,
    i: hit.i,
    li: hit.li,
    cr: hit.cr,
    cmp: hit.cmp,
    adv: hit.adv,
    cpm: price?.cpmMicros ?? hit.p,
    ...(hit.k === 'imp' && hit.u !== undefined ? { u: hit.u } : {}),
    exp: hit.exp,
    ts: nowMs,
  };
  try {
    await env.LEDGER_EVENTS.send(body, { contentType: 'json' });
  } catch (err) {
    log('error', 'ledger_hit_send_failed', { kind: hit.k, error: err instanceof Error ? err.name : 'unknown' });
    if (notice) throw new AppError('queue_unavailable', 'the notice could not be recorded; send it again');
  }
}

/** Queues the purchases and conversions of an accepted event batch for the campaign ledgers (lift, conversions). Throws if the queue refuses. */
export async function sendConversions(env: OutboxTarget, events: readonly ProfileEvent[]): Promise<void> {
  const bodies = conversionMessages(events);
  for (let i = 0; i < bodies.length; i += SEND_BATCH_MAX) {
    await env.LEDGER_EVENTS.sendBatch(bodies.slice(i, i + SEND_BATCH_MAX).map((body) => ({ body, contentType: 'json' as const })));
  }
}
