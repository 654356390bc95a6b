/**
 * The publisher decision API's request: a user key, placements with their sizes, the page's
 * context (site, geo, device, keywords, key-values) and the consent the page collected. Sizes
 * are `{ "w": 300, "h": 250 }` or `"300x250"`.
 */
import { z } from 'zod';
import type { FieldIssue } from '../errors';
import { isUsableUserId } from '../identity/user-key';
import { fieldIssues } from '../zod-issues';

const usableUserId = z
  .string()
  .max(256)
  .refine(isUsableUserId, 'not a usable user id (too short or a placeholder); omit it for anonymous users');

const sizeString = z
  .string()
  .regex(/^[1-9]\d{0,4}x[1-9]\d{0,4}$/, 'expected a size like "300x250"')
  .transform((s) => {
    const [w, h] = s.split('x').map(Number);
    return { w: w ?? 0, h: h ?? 0 };
  });
const keyValues = z.record(z.string().min(1).max(64), z.array(z.string().max(256)).max(50)).refine((kv) => Object.keys(kv).length <= 50, 'at most 50 keys');

const sizeObject = z.object({ w: z.number().int().positive().max(99_999), h: z.number().int().positive().max(99_999) });

export const decisionRequestSchema = z.strictObject({
  /** The publisher's id for the user (cookie id, login id; our `uid` space); hashed before any lookup. */
  userKey: usableUserId.optional(),
  placements: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(128),
        sizes: z.array(z.union([sizeObject, sizeString])).min(1).max(20),
        /** Floor CPM in `currency`. */
        floorCpm: z.number().nonnegative().max(1_000).optional(),
        /** Publisher key-values of this placement (over the page-level ones). */
        keyValues: keyValues.optional(),
      }),
    )
    .min(1)
    .max(20)
    .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, 'placement ids must be unique'),
  currency: z.string().regex(/^[A-Z]{3}$/).default('USD'),
  site: z
    .strictObject({
      domain: z.string().max(253).optional(),
      page: z.string().max(2048).optional(),
      /** IAB content categories of the page. */
      categories: z.array(z.string().max(64)).max(50).optional(),
      publisherId: z.string().max(128).optional(),
    })
    .optional(),
  geo: z
    .strictObject({
      /** ISO 3166-1 alpha-3, as in OpenRTB. */
      country: z.string().regex(/^[A-Za-z]{3}$/, 'ISO 3166-1 alpha-3, e.g. "USA"').optional(),
      region: z.string().max(16).optional(),
      metro: z.string().max(16).optional(),
      postal: z.string().max(16).optional(),
      utcOffsetMinutes: z.number().int().min(-720).max(840).optional(),
    })
    .optional(),
  device: z
    .strictObject({ type: z.number().int().min(1).max(8).optional(), os: z.string().max(64).optional(), make: z.string().max(64).optional() })
    .optional(),
  keywords: z.array(z.string().max(100)).max(100).default([]),
  keyValues: keyValues.default({}),
  consent: z
    .strictObject({
      gdprApplies: z.boolean().optional(),
      tcString: z.string().max(4096).optional(),
      usPrivacy: z.string().max(16).optional(),
      gpp: z.string().max(4096).optional(),
      gppSid: z.array(z.number().int()).max(32).optional(),
      coppa: z.boolean().optional(),
    })
    .default({}),
  blockedCategories: z.array(z.string().max(64)).max(500).default([]),
  blockedDomains: z.array(z.string().max(253)).max(500).default([]),
  /** Caller's own deadline for our answer, like OpenRTB `tmax`. */
  timeoutMs: z.number().int().positive().max(10_000).optional(),
  explain: z.boolean().default(false),
});

export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

export function parseDecisionRequest(input: unknown): { ok: true; value: DecisionRequest } | { ok: false; issues: FieldIssue[] } {
  const r = decisionRequestSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: fieldIssues(r.error) };
}
