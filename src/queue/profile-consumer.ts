/**
 * The profile-events consumer. One RPC per user per batch; every message is acked or retried
 * explicitly. A user whose update fails has all of that user's messages retried with backoff
 * (the profile applies them idempotently by event id), and after `max_retries` the queue moves
 * them to the dead-letter queue, whose consumer keeps them for inspection and replay. Bodies that
 * can never be applied go to the DLQ at once. A message is acked as soon as the user's object
 * has applied it — or deliberately ignored it (too old by now, opted out, erased), which is
 * logged by reason: the KV snapshot is the object's own write-behind, so a KV failure or rate
 * limit never sends events back here. Before anything is applied, the batch's ids are listed in
 * the known-users directory (see listKnownUsers).
 */
import { profileEventSchema } from '../core/events/event-batch';
import type { LocationHint } from '../core/geo/location-hint';
import type { ProfileEvent } from '../core/model';
import { log } from '../log';
import { KNOWN_USERS_NAME } from '../objects/known-users';
import { applyResultOf } from '../objects/rpc-plain';
import type { ApplyResult } from '../objects/user-profile';

/** The effects of a batch, injectable so tests can make a real one fail on cue. */
export interface ProfileEffects {
  /** Lists ids in the known-users directory (src/objects/known-users.ts) before anything is applied. */
  addKnownUsers(userHashes: readonly string[]): Promise<void>;
  applyEvents(userHash: string, events: readonly ProfileEvent[]): Promise<ApplyResult>;
  deadLetter(body: unknown): Promise<void>;
}

/**
 * Where to create a user's object if this call is the first: the region most of the events
 * came from (ties go to the latest), so one event sent through a far-away VPN does not decide.
 * It only matters when the object does not exist yet; an object never moves.
 */
export function locationHintOf(events: readonly ProfileEvent[]): LocationHint | undefined {
  const seen = new Map<LocationHint, { count: number; latestMs: number }>();
  for (const e of events) {
    if (e.locationHint === undefined) continue;
    const s = seen.get(e.locationHint) ?? { count: 0, latestMs: -Infinity };
    seen.set(e.locationHint, { count: s.count + 1, latestMs: Math.max(s.latestMs, e.tsMs) });
  }
  let best: { hint: LocationHint; count: number; latestMs: number } | undefined;
  for (const [hint, s] of seen) {
    if (!best || s.count > best.count || (s.count === best.count && s.latestMs > best.latestMs)) best = { hint, ...s };
  }
  return best?.hint;
}

export function platformEffects(env: Env): ProfileEffects {
  return {
    addKnownUsers: async (userHashes) => {
      await env.KNOWN_USERS.get(env.KNOWN_USERS.idFromName(KNOWN_USERS_NAME)).add(userHashes);
    },
    applyEvents: (userHash, events) => {
      const locationHint = locationHintOf(events);
      const id = env.USER_PROFILE.idFromName(userHash);
      return applyResultOf((locationHint ? env.USER_PROFILE.get(id, { locationHint }) : env.USER_PROFILE.get(id)).applyEvents(userHash, events));
    },
    deadLetter: async (body) => {
      await env.PROFILE_EVENTS_DLQ.send(body, { contentType: 'json' });
    },
  };
}

/**
 * Backoff for a retried message: 2, 4, 8 … seconds, capped at a minute (with `baseSec` 2; the
 * `QUEUE_RETRY_BASE_SEC` var scales it, and the tests set 0 to watch retries end in the DLQ quickly).
 */
export function retryDelaySec(attempts: number, baseSec = 2): number {
  return Math.min(60, baseSec * 2 ** (Math.max(1, attempts) - 1));
}

function retryBaseSec(env: Env): number {
  // Number('') is 0 and Number(undefined) NaN: an empty or missing var means the default.
  const n = Number(env.QUEUE_RETRY_BASE_SEC || 'x');
  return Number.isFinite(n) && n >= 0 ? n : 2;
}

export async function handleProfileBatch(
  batch: MessageBatch,
  env: Env,
  effects: ProfileEffects = platformEffects(env),
): Promise<void> {
  const baseSec = retryBaseSec(env);
  const byUser = new Map<string, { messages: Message[]; events: ProfileEvent[] }>();
  for (const msg of batch.messages) {
    const parsed = profileEventSchema.safeParse(msg.body);
    if (!parsed.success) {
      await deadLetter(msg, effects, baseSec);
      continue;
    }
    const group = byUser.get(parsed.data.userHash) ?? { messages: [], events: [] };
    group.messages.push(msg);
    group.events.push(parsed.data);
    byUser.set(parsed.data.userHash, group);
  }
  if (!(await listKnownUsers(byUser, effects, baseSec))) return;
  await Promise.all(
    [...byUser].map(async ([userHash, group]) => {
      try {
        // Applied (or already applied before: duplicates count as done) means done here.
        const result = await effects.applyEvents(userHash, group.events);
        for (const m of group.messages) m.ack();
        for (const [reason, events] of Object.entries(result.ignored)) log('warn', 'profile_events_ignored', { reason, events });
      } catch (err) {
        log('warn', 'profile_update_retry', { error: err instanceof Error ? err.name : 'unknown', messages: group.messages.length });
        for (const m of group.messages) m.retry({ delaySeconds: retryDelaySec(m.attempts, baseSec) });
      }
    }),
  );
}

/**
 * Every id of the batch — each user, and the ids identify events link (a merged-away id is
 * resolved by its alias, so it must read as known too) — goes into the known-users directory
 * before any profile changes: the edge skips the profile read for ids the filter lacks, so the
 * filter must never lag the profiles. On failure nothing was applied: every message is retried.
 */
async function listKnownUsers(byUser: ReadonlyMap<string, { messages: Message[]; events: ProfileEvent[] }>, effects: ProfileEffects, baseSec: number): Promise<boolean> {
  if (byUser.size === 0) return true;
  const hashes = new Set<string>();
  for (const [userHash, group] of byUser) {
    hashes.add(userHash);
    for (const e of group.events) for (const link of e.links ?? []) hashes.add(link);
  }
  try {
    await effects.addKnownUsers([...hashes]);
    return true;
  } catch (err) {
    const messages = [...byUser.values()].flatMap((g) => g.messages);
    log('warn', 'known_users_add_retry', { error: err instanceof Error ? err.name : 'unknown', messages: messages.length });
    for (const m of messages) m.retry({ delaySeconds: retryDelaySec(m.attempts, baseSec) });
    return false;
  }
}

async function deadLetter(msg: Message, effects: ProfileEffects, baseSec: number): Promise<void> {
  try {
    await effects.deadLetter(msg.body);
    log('warn', 'profile_event_dead_lettered', { reason: 'invalid_body' });
    msg.ack();
  } catch {
    msg.retry({ delaySeconds: retryDelaySec(msg.attempts, baseSec) });
  }
}
