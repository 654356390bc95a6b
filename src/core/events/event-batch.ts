/**
 * The events API's batch: validated as a whole, every problem reported with its path, then
 * normalised (timestamps to epoch ms, values to micros). Events from too far in the future
 * (clock skew beyond the allowance) or older than the profile retention are rejected with a
 * reason rather than silently dropped.
 */
import { z } from 'zod';
import { formatPath, type FieldIssue } from '../errors';
import { PROFILE_EVENT_TYPES, type ProfileEvent } from '../model';
import { LOCATION_HINTS } from '../geo/location-hint';
import { RETENTION_MS } from '../segments/realtime';
import { fieldIssues } from '../zod-issues';

export const MAX_EVENTS_PER_BATCH = 500;
export const FUTURE_SKEW_MS = 5 * 60_000;

const eventSchema = z.strictObject({
  /** Client-chosen, unique per event: redelivering the same id is applied once. */
  id: z.string().min(1).max(128),
  type: z.enum(PROFILE_EVENT_TYPES),
  userKey: z.string().min(1).max(256),
  /** Epoch milliseconds, or an ISO 8601 date-time with offset. */
  ts: z.union([z.number().int().positive(), z.iso.datetime({ offset: true })]),
  advertiserId: z.string().min(1).max(128).optional(),
  productId: z.string().min(1).max(128).optional(),
  /** Monetary value in the catalog currency (e.g. order total). */
  value: z.number().nonnegative().max(1e9).optional(),
});

export const eventBatchSchema = z.strictObject({
  events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
});

/** An accepted event before its user key is hashed (hashing is keyed, so it happens at the edge). */
export type AcceptedEvent = Omit<ProfileEvent, 'userHash'> & { readonly userKey: string };

export type ParseEventsResult = { ok: true; events: AcceptedEvent[] } | { ok: false; issues: FieldIssue[] };

export function parseEventBatch(input: unknown, nowMs: number): ParseEventsResult {
  const r = eventBatchSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: fieldIssues(r.error) };
  const issues: FieldIssue[] = [];
  const events = r.data.events.map((e, i): AcceptedEvent => {
    const tsMs = typeof e.ts === 'number' ? e.ts : Date.parse(e.ts);
    if (tsMs > nowMs + FUTURE_SKEW_MS) issues.push({ path: formatPath(['events', i, 'ts']), message: 'event is in the future beyond the 5 minute clock-skew allowance' });
    if (tsMs <= nowMs - RETENTION_MS) issues.push({ path: formatPath(['events', i, 'ts']), message: 'event is older than the 30 day profile retention' });
    return {
      id: e.id,
      type: e.type,
      userKey: e.userKey,
      tsMs,
      ...(e.advertiserId !== undefined ? { advertiserId: e.advertiserId } : {}),
      ...(e.productId !== undefined ? { productId: e.productId } : {}),
      ...(e.value !== undefined ? { valueMicros: Math.round(e.value * 1_000_000) } : {}),
    };
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, events };
}

/** Queue messages are a trust boundary too (older deploys, manual replays): validate on receipt. */
export const profileEventSchema = z.object({
  id: z.string().min(1).max(128),
  type: z.enum(PROFILE_EVENT_TYPES),
  userHash: z.string().min(1).max(128),
  tsMs: z.number().int(),
  advertiserId: z.string().optional(),
  productId: z.string().optional(),
  valueMicros: z.number().int().nonnegative().optional(),
  locationHint: z.enum(LOCATION_HINTS).optional(),
}) satisfies z.ZodType<ProfileEvent>;
