/**
 * The OpenRTB 2.6 BidRequest as we accept it (2.5-era `ext` spellings included), and
 * `parseBidRequest`, the one entry point the HTTP layer uses.
 *
 * What is enforced: what the spec requires (request `id`, a non-empty `imp` with unique string
 * ids, a media object per imp, at most one of site/app/dooh, required fields of Video, Audio,
 * Native, Deal, Metric, Qty, SupplyChain), the JSON type of every standard field, objects
 * wherever the spec says object (every `ext` included), >= 0 for sizes, durations, bitrates,
 * floors, tmax, accuracy and ppi, 0/1 for the flags we act on (`regs.gdpr`, `regs.coppa`,
 * `regs.ext.gdpr`, `pmp.private_auction`), and the Native request payload (native-request.ts).
 * What is not: anything the spec only recommends (banner sizes, Format w/h, site/app presence,
 * `imp.ext`); such requests parse and the engine answers them with a no-bid.
 *
 * Unknown keys are dropped from the output, except inside `ext`, which is kept as sent.
 * Every problem is reported, not just the first; paths look like `imp[0].banner.w`; messages
 * name types and limits, never values from the request.
 *
 * Pure core code: no I/O, no clock, no randomness.
 */
import { z } from 'zod';
import { formatPath, type FieldIssue } from '../errors';
import { appSchema, deviceSchema, doohSchema, regsSchema, siteSchema, sourceSchema, userSchema } from './context-schema';
import { impSchema } from './imp-schema';
import { id, isJsonObject, jsonType, optExt, optInt, optNonNegInt, optStrArr } from './primitives';

const CHANNELS = ['site', 'app', 'dooh'] as const;

/**
 * Policy limit, not a spec rule: real requests carry a handful of imps (the corpus: at most 4),
 * and each answered imp costs signing and markup, so an unbounded list is a CPU amplifier.
 */
export const MAX_IMPS = 100;

export const bidRequestSchema = z
  .object({
    // Order matters only for which issue comes first; it follows Prebid Server's checks.
    id,
    tmax: optNonNegInt,
    imp: z.array(impSchema).min(1).max(MAX_IMPS, `at most ${MAX_IMPS} impressions per request`),
    site: siteSchema.optional(),
    app: appSchema.optional(),
    dooh: doohSchema.optional(),
    device: deviceSchema.optional(),
    user: userSchema.optional(),
    test: optInt,
    at: optInt,
    wseat: optStrArr,
    bseat: optStrArr,
    allimps: optInt,
    cur: optStrArr,
    wlang: optStrArr,
    wlangb: optStrArr,
    acat: optStrArr,
    bcat: optStrArr,
    cattax: optInt,
    badv: optStrArr,
    bapp: optStrArr,
    source: sourceSchema.optional(),
    regs: regsSchema.optional(),
    ext: optExt,
  })
  .superRefine(
    (req, ctx) => {
      // Runs even when fields failed (`when`), so it must not trust their shapes.
      if (!isJsonObject(req)) return;
      if (Array.isArray(req.imp)) {
        const firstIndex = new Map<string, number>();
        req.imp.forEach((imp: unknown, i) => {
          if (!isJsonObject(imp) || typeof imp.id !== 'string') return;
          const first = firstIndex.get(imp.id);
          if (first === undefined) firstIndex.set(imp.id, i);
          else ctx.addIssue({ code: 'custom', path: ['imp', i, 'id'], message: `must be unique (same as imp[${first}].id)` });
        });
      }
      const present = CHANNELS.filter((k) => req[k] !== undefined);
      for (const k of present.slice(1)) {
        ctx.addIssue({ code: 'custom', path: [k], message: `must not be sent with ${present[0]} (at most one of site, app, dooh)` });
      }
    },
    { when: () => true },
  );

/** The validated request (zod output type: `imp[].bidfloor` defaults to 0). */
export type BidRequest = z.infer<typeof bidRequestSchema>;

export type ParseBidRequestResult = { ok: true; value: BidRequest } | { ok: false; issues: FieldIssue[] };

/** Bounds the error body for pathological input; real requests never get near it. */
const MAX_ISSUES = 100;

const TYPE_NAMES: Readonly<Record<string, string>> = { nonoptional: 'a value' };

/**
 * Log-safe messages from zod's raw issues: field types, limits and allowed constants only.
 * `input` is read to tell "missing" from "wrong type" and to name the JSON type received.
 */
function issueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      // z.int() reports a non-number as `expected: 'number'`; its def names the integer format.
      const isInt = issue.expected === 'int' || (issue.inst?._zod.def as { format?: string } | undefined)?.format === 'safeint';
      const expected = isInt ? 'integer' : (TYPE_NAMES[issue.expected] ?? issue.expected);
      const got = issue.expected === 'int' && typeof issue.input === 'number' ? 'a fractional number' : jsonType(issue.input);
      return `expected ${expected}, got ${got}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must have at least ${issue.minimum} items`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be >= ${issue.minimum}`;
    case 'too_big':
      return `must be <= ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'custom':
      return typeof issue.message === 'string' ? issue.message : 'is invalid';
    default:
      return 'is invalid';
  }
}

/** Validates a parsed JSON body. Never throws for any JSON value. */
export function parseBidRequest(input: unknown): ParseBidRequestResult {
  const result = bidRequestSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  // Only failures pay for our messages: a parse context carrying an error map costs the hot
  // path ~40% (measured), so the rare invalid request is parsed a second time with it.
  const failed = bidRequestSchema.safeParse(input, { error: issueMessage });
  const all = failed.success ? [] : failed.error.issues;
  const issues: FieldIssue[] = all.slice(0, MAX_ISSUES).map((i) => ({ path: formatPath(i.path), message: i.message }));
  if (all.length > MAX_ISSUES) issues.push({ path: '(root)', message: `${all.length - MAX_ISSUES} more issues not shown` });
  return { ok: false, issues };
}
