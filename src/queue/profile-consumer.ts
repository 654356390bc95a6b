/**
 * The profile-events consumer. One RPC per user per batch; every message is acked or retried
 * explicitly. A user whose update fails has all of that user's messages retried with backoff
 * (the profile applies them idempotently by event id), and after `max_retries` the queue moves
 * them to the dead-letter queue. Bodies that can never be applied go to the DLQ at once.
 */
import { profileEventSchema } from '../core/events/event-batch';
import type { ProfileEvent, ProfileSnapshot } from '../core/model';
import { log } from '../log';
import type { ApplyResult } from '../objects/user-profile';
import { SNAPSHOT_TTL_SEC } from '../store/profile-reader';

/** The two effects of a batch, injectable so tests can make a real one fail on cue. */
export interface ProfileEffects {
  applyEvents(userHash: string, events: readonly ProfileEvent[]): Promise<ApplyResult>;
  writeSnapshot(userHash: string, snapshot: ProfileSnapshot): Promise<void>;
  deadLetter(body: unknown): Promise<void>;
}

export function platformEffects(env: Env): ProfileEffects {
  return {
    applyEvents: (userHash, events) => {
      // Only matters when this call creates the object: then it should live near the user.
      const locationHint = events.find((e) => e.locationHint)?.locationHint;
      const id = env.USER_PROFILE.idFromName(userHash);
      return (locationHint ? env.USER_PROFILE.get(id, { locationHint }) : env.USER_PROFILE.get(id)).applyEvents(events);
    },
    writeSnapshot: (userHash, snapshot) =>
      env.PROFILE_SNAPSHOTS.put(userHash, JSON.stringify(snapshot), { expirationTtl: SNAPSHOT_TTL_SEC }),
    deadLetter: async (body) => {
      await env.PROFILE_EVENTS_DLQ.send(body, { contentType: 'json' });
    },
  };
}

/** Backoff for a retried message: 2, 4, 8 … seconds, capped at a minute. */
export function retryDelaySec(attempts: number): number {
  return Math.min(60, 2 ** Math.max(1, attempts));
}

export async function handleProfileBatch(
  batch: MessageBatch,
  env: Env,
  effects: ProfileEffects = platformEffects(env),
): Promise<void> {
  const byUser = new Map<string, { messages: Message[]; events: ProfileEvent[] }>();
  for (const msg of batch.messages) {
    const parsed = profileEventSchema.safeParse(msg.body);
    if (!parsed.success) {
      await deadLetter(msg, effects);
      continue;
    }
    const group = byUser.get(parsed.data.userHash) ?? { messages: [], events: [] };
    group.messages.push(msg);
    group.events.push(parsed.data);
    byUser.set(parsed.data.userHash, group);
  }
  await Promise.all(
    [...byUser].map(async ([userHash, group]) => {
      try {
        const result = await effects.applyEvents(userHash, group.events);
        // Written even when nothing was new: a redelivery may follow a failed snapshot write.
        if (result.snapshot) await effects.writeSnapshot(userHash, result.snapshot);
        for (const m of group.messages) m.ack();
      } catch (err) {
        log('warn', 'profile_update_retry', { error: err instanceof Error ? err.name : 'unknown', messages: group.messages.length });
        for (const m of group.messages) m.retry({ delaySeconds: retryDelaySec(m.attempts) });
      }
    }),
  );
}

async function deadLetter(msg: Message, effects: ProfileEffects): Promise<void> {
  try {
    await effects.deadLetter(msg.body);
    log('warn', 'profile_event_dead_lettered', { reason: 'invalid_body' });
    msg.ack();
  } catch {
    msg.retry({ delaySeconds: retryDelaySec(msg.attempts) });
  }
}
