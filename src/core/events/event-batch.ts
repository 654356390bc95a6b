/**
 * The events API's batch: validated as a whole, every problem reported with its path, then
 * normalised (timestamps to epoch ms, values to micros). Events from too far in the future
 * (clock skew beyond the allowance) or older than the profile retention are rejected with a
 * reason rather than silently dropped.
 */
import { z } from 'zod';
import { formatPath, type FieldIssue } from '../errors';
import { API_EVENT_TYPES, PROFILE_EVENT_TYPES, type ProfileEvent } from '../model';
import { LOCATION_HINTS } from '../geo/location-hint';
import { isUsableUserId, type UserKey } from '../identity/user-key';
import type { ConsentSignals } from '../privacy/consent';
import { eventConsentSchema, eventConsentSignals } from '../privacy/event-consent';
import { LINK_KEY_KINDS, MAX_LINKS_PER_EVENT, type LinkKey } from '../profile/link-keys';
import { FUTURE_SKEW_MS, RETENTION_MS } from '../profile/retention';
import { fieldIssues } from '../zod-issues';

export const MAX_EVENTS_PER_BATCH = 500;
export { FUTURE_SKEW_MS };

/** Another id of the same person, for `identify` events. */
const linkSchema = z.strictObject({
  key: z.string().max(256).refine(isUsableUserId, 'not a usable id (too short or a placeholder)'),
  /** `uid`, `ifa`, `xid` (an exchange's user id) or `crm` (a hashed e-mail or customer id). */
  type: z.enum(LINK_KEY_KINDS),
});

const eventSchema = z.strictObject({
  /** Client-chosen, unique per event: redelivering the same id is applied once. */
  id: z.string().min(1).max(128),
  type: z.enum(API_EVENT_TYPES),
  userKey: z
    .string()
    .max(256)
    .refine(isUsableUserId, 'not a usable user id (too short or a placeholder): events need a stable id'),
  /** `uid` (default): our first-party id, as in `/v1/decisions` and OpenRTB `user.buyeruid`; `ifa`: a device ad id. */
  userKeyType: z.enum(['uid', 'ifa']).default('uid'),
  /** Epoch milliseconds, or an ISO 8601 date-time with offset. */
  ts: z.union([z.number().int().positive(), z.iso.datetime({ offset: true })]),
  advertiserId: z.string().min(1).max(128).optional(),
  productId: z.string().min(1).max(128).optional(),
  /** Shown by dynamic creatives (`{{cart_product_name}}`). */
  productName: z.string().min(1).max(256).optional(),
  /** Product or page category: rules can count by it, dynamic creatives show the top one. */
  category: z.string().min(1).max(128).optional(),
  /** Monetary value in the catalog currency (e.g. order total). */
  value: z.number().nonnegative().max(1e9).optional(),
  /** `identify` only: the other ids of this person. */
  links: z.array(linkSchema).min(1).max(MAX_LINKS_PER_EVENT).optional(),
  /** Overrides the batch's `consent`, field by field. */
  consent: eventConsentSchema.optional(),
}).superRefine((e, ctx) => {
  if (e.type === 'identify' && e.links === undefined) ctx.addIssue({ code: 'custom', path: ['links'], message: 'required for identify events' });
  if (e.type !== 'identify' && e.links !== undefined) ctx.addIssue({ code: 'custom', path: ['links'], message: 'only identify events carry links' });
});

export const eventBatchSchema = z.strictObject({
  events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
  /** Consent signals for every event of the batch (src/core/privacy/event-consent.ts). */
  consent: eventConsentSchema.optional(),
});

/** An accepted event before its user key is hashed (hashing is keyed, so it happens at the edge). */
export type AcceptedEvent = Omit<ProfileEvent, 'userHash' | 'links'> & {
  readonly userKey: UserKey;
  readonly links?: readonly LinkKey[];
  /** The batch's consent with the event's own over it; the edge runs the consent gate on it. */
  readonly consent: ConsentSignals;
};

export type ParseEventsResult = { ok: true; events: AcceptedEvent[] } | { ok: false; issues: FieldIssue[] };

export function parseEventBatch(input: unknown, nowMs: number): ParseEventsResult {
  const r = eventBatchSchema.safeParse(input);
  // Time checks run on the raw input too, so one answer lists shape and time problems together.
  const timeIssues = timestampIssues(input, nowMs);
  if (!r.success) return { ok: false, issues: [...fieldIssues(r.error), ...timeIssues] };
  if (timeIssues.length > 0) return { ok: false, issues: timeIssues };
  const events = r.data.events.map((e): AcceptedEvent => {
    const tsMs = typeof e.ts === 'number' ? e.ts : Date.parse(e.ts);
    return {
      id: e.id,
      type: e.type,
      userKey: { kind: e.userKeyType, value: e.userKey },
      tsMs,
      ...(e.advertiserId !== undefined ? { advertiserId: e.advertiserId } : {}),
      ...(e.productId !== undefined ? { productId: e.productId } : {}),
      ...(e.productName !== undefined ? { productName: e.productName } : {}),
      ...(e.category !== undefined ? { category: e.category } : {}),
      ...(e.value !== undefined ? { valueMicros: Math.round(e.value * 1_000_000) } : {}),
      ...(e.links !== undefined ? { links: e.links.map((l) => ({ kind: l.type, value: l.key })) } : {}),
      consent: eventConsentSignals(r.data.consent, e.consent),
    };
  });
  return { ok: true, events };
}

function timestampIssues(input: unknown, nowMs: number): FieldIssue[] {
  const events = typeof input === 'object' && input !== null && 'events' in input ? input.events : undefined;
  if (!Array.isArray(events)) return [];
  const issues: FieldIssue[] = [];
  events.forEach((e: unknown, i) => {
    const ts = typeof e === 'object' && e !== null && 'ts' in e ? e.ts : undefined;
    const tsMs = typeof ts === 'number' ? ts : typeof ts === 'string' ? Date.parse(ts) : NaN;
    if (!Number.isFinite(tsMs)) return;
    const path = formatPath(['events', i, 'ts']);
    if (tsMs > nowMs + FUTURE_SKEW_MS) issues.push({ path, message: 'event is in the future beyond the 5 minute clock-skew allowance' });
    else if (tsMs <= nowMs - RETENTION_MS) issues.push({ path, message: 'event is older than the 90 day profile retention' });
  });
  return issues;
}

/** Queue messages are a trust boundary too (older deploys, manual replays): validate on receipt. */
export const profileEventSchema = z.object({
  id: z.string().min(1).max(128),
  type: z.enum(PROFILE_EVENT_TYPES),
  userHash: z.string().min(1).max(128),
  tsMs: z.number().int(),
  advertiserId: z.string().optional(),
  productId: z.string().optional(),
  productName: z.string().optional(),
  category: z.string().optional(),
  valueMicros: z.number().int().nonnegative().optional(),
  lineItemId: z.string().optional(),
  campaignId: z.string().optional(),
  links: z.array(z.string().min(1).max(128)).max(MAX_LINKS_PER_EVENT).optional(),
  locationHint: z.enum(LOCATION_HINTS).optional(),
}) satisfies z.ZodType<ProfileEvent>;
