/**
 * An erase purges the person's dead letters, including letters whose body failed the event
 * schema but still names the user's hash (the reason such a body is a dead letter at all).
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTERS_NAME } from '../src/objects/dead-letters';

const deadLetters = () => env.DEAD_LETTERS.get(env.DEAD_LETTERS.idFromName(DEAD_LETTERS_NAME));

describe('dead letters and erase', () => {
  it('purges an invalid body that carries the erased userHash, and keeps other users letters', async () => {
    const r = crypto.randomUUID();
    const erased = `h-erased-${r}`;
    const kept = `h-kept-${r}`;
    const added = await deadLetters().add([
      { messageId: `bad-${r}`, body: { id: `bad-${r}`, type: 'no_such_type', userHash: erased, tsMs: Date.now() }, attempts: 1 },
      { messageId: `ok-${r}`, body: { id: `ok-${r}`, type: 'page_view', userHash: erased, tsMs: Date.now(), advertiserId: 'adv-acme' }, attempts: 6 },
      { messageId: `other-${r}`, body: { id: `other-${r}`, type: 'no_such_type', userHash: kept, tsMs: Date.now() }, attempts: 1 },
      { messageId: `nohash-${r}`, body: { userHash: 42 }, attempts: 1 },
    ]);
    expect(added).toBe(4);

    expect(await deadLetters().purgeUsers([erased])).toBe(2);
    const left = await deadLetters().take({ limit: 100_000 });
    const bodies = left.map((l) => l.bodyJson);
    expect(bodies.some((b) => b.includes(erased))).toBe(false);
    expect(bodies.some((b) => b.includes(kept))).toBe(true);
  });
});
