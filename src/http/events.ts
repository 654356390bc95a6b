/**
 * `POST /v1/events`: behavioural events in batches. Validated whole, each event's consent run
 * through the consent gate, user keys hashed, then the events that may build a profile queued;
 * `202` only once the queue has taken every message, so an accepted event is never lost.
 */
import { Hono } from 'hono';
import { AppError } from '../core/errors';
import { parseEventBatch, type AcceptedEvent } from '../core/events/event-batch';
import { locationHintFor, type RequestGeo } from '../core/geo/location-hint';
import { userKeyMaterial } from '../core/identity/user-key';
import type { ProfileEvent } from '../core/model';
import type { ConsentReason } from '../core/privacy/consent';
import { mayProfile } from '../core/privacy/event-consent';
import { linkKeyMaterial } from '../core/profile/link-keys';
import { sendConversions } from '../store/ledger-outbox';
import { decideConsent } from './audience';
import { readJsonBody } from './body';
import { config, secret } from './config';
import { hashUserKey, hmacBase64Url } from './crypto';
import { log } from '../log';

/** Queues take at most 100 messages per sendBatch call. */
const SEND_BATCH_MAX = 100;

export const events = new Hono<{ Bindings: Env }>();

/** The coarse geography Cloudflare attaches to a request (absent locally and in tests). */
function requestGeo(req: Request): RequestGeo {
  const cf: Record<string, unknown> = req.cf ?? {};
  const str = (k: string): string | undefined => (typeof cf[k] === 'string' ? cf[k] : undefined);
  return { continent: str('continent'), country: str('country'), longitude: str('longitude') };
}

events.post('/', async (c) => {
  const env = c.env;
  const parsed = parseEventBatch(await readJsonBody(c.req.raw, config(env).maxEventBodyBytes), Date.now());
  if (!parsed.ok) throw new AppError('invalid_request', 'event batch is invalid; nothing was accepted', parsed.issues);
  const locationHint = locationHintFor(requestGeo(c.req.raw));
  // Events without the consent profiling needs are accepted (never an error) but go nowhere:
  // not to the profiles, not to the ledgers (whose conversions carry the user's hash).
  const notProfiled: Partial<Record<ConsentReason, number>> = {};
  const profiled: Omit<AcceptedEvent, 'consent'>[] = [];
  for (const { consent, ...event } of parsed.events) {
    const decision = decideConsent(env, consent);
    if (mayProfile(decision, event.userKey.kind)) profiled.push(event);
    else notProfiled[decision.reason] = (notProfiled[decision.reason] ?? 0) + 1;
  }
  const hashes = new Map<string, Promise<string>>();
  const messages: ProfileEvent[] = await Promise.all(
    profiled.map(async ({ userKey, links, ...rest }) => {
      const material = userKeyMaterial(userKey);
      let hash = hashes.get(material);
      if (!hash) hashes.set(material, (hash = hashUserKey(secret(env, 'USER_KEY_SECRET'), userKey)));
      // Linked ids are hashed like any key: the queue and the profiles never see them in clear.
      const linkHashes = links && (await Promise.all(links.map((l) => hmacBase64Url(secret(env, 'USER_KEY_SECRET'), linkKeyMaterial(l)))));
      return { ...rest, userHash: await hash, ...(linkHashes ? { links: linkHashes } : {}), ...(locationHint ? { locationHint } : {}) };
    }),
  );
  try {
    for (let i = 0; i < messages.length; i += SEND_BATCH_MAX) {
      await env.PROFILE_EVENTS.sendBatch(messages.slice(i, i + SEND_BATCH_MAX).map((body) => ({ body, contentType: 'json' as const })));
    }
    // Conversions also go to the campaign ledgers (reports, lift); a retried batch is deduped there too.
    await sendConversions(env, messages);
  } catch (err) {
    // Part of a multi-chunk batch may be queued; resending it is safe (events are idempotent by id).
    log('error', 'queue_send_failed', { error: err instanceof Error ? err.name : 'unknown', events: messages.length });
    throw new AppError('queue_unavailable', 'events could not be queued; retry the whole batch (ids make it idempotent)');
  }
  const skipped = parsed.events.length - messages.length;
  return c.json({ accepted: parsed.events.length, ...(skipped > 0 ? { notProfiled: { count: skipped, reasons: notProfiled } } : {}) }, 202);
});
