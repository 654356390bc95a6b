/**
 * The dead-letter queue's consumer: every message the queue gave up on (or the profile consumer
 * refused as unreadable) goes into the DeadLetters object, where it can be listed and replayed.
 * Storing is one call per batch; if it fails the whole batch is retried.
 */
import { DEAD_LETTERS_NAME } from '../objects/dead-letters';
import { log } from '../log';

export async function handleDeadLetterBatch(batch: MessageBatch, env: Env): Promise<void> {
  try {
    const added = await env.DEAD_LETTERS.get(env.DEAD_LETTERS.idFromName(DEAD_LETTERS_NAME)).add(
      batch.messages.map((m) => ({ messageId: m.id, body: m.body, attempts: m.attempts })),
    );
    // Counts only: a dead letter is a user's event.
    log('warn', 'profile_events_dead_lettered', { messages: batch.messages.length, stored: added });
    batch.ackAll();
  } catch (err) {
    log('error', 'dead_letter_store_failed', { error: err instanceof Error ? err.name : 'unknown', messages: batch.messages.length });
    batch.retryAll({ delaySeconds: 30 });
  }
}
