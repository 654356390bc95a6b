/**
 * Schema of one catalog creative (banner, video or native, by `format`). Besides shapes and
 * ranges it checks the templates: in a dynamic creative every `{{…}}` must be a known placeholder
 * in a position where escaping makes profile data safe, and every templated field needs its
 * static fallback. All problems are reported, each at its field's path.
 */
import { z } from 'zod';
import type { Creative } from '../model';
import { isJsonObject } from '../openrtb/primitives';
import { compileTemplate, type TemplateKind } from '../creative/template';

/** As catalog-schema.ts: `@` is reserved (segment keys are `<segment>@<advertiserId>`). */
const id = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').regex(/^[^@]*$/, 'must not contain "@"');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const nonEmpty = z.string().min(1, 'must not be empty');
const dimension = z.int('must be an integer').positive('must be > 0');
/** IAB creative attributes (AdCOM list "Creative Attributes"): 1–17. */
const attribute = z.int('must be an integer').min(1, 'must be 1–17').max(17, 'must be 1–17');
/** OpenRTB / AdCOM video protocols: 1–14 (VAST 1.0 … 4.3 wrapper). */
const protocol = z.int('must be an integer').min(1, 'must be 1–14').max(14, 'must be 1–14');

const dynamicSchema = z.object({
  discountText: nonEmpty.optional(),
  fallback: z.object({ markup: nonEmpty.optional(), vast: nonEmpty.optional(), title: nonEmpty.optional(), body: nonEmpty.optional() }),
});

const base = {
  id,
  advertiserId: id,
  clickUrl: httpUrl,
  categories: z.array(nonEmpty).default([]),
  attributes: z.array(attribute).default([]),
  weight: z.number().positive('must be > 0').default(1),
  status: z.enum(['active', 'paused']).optional(),
  dynamic: dynamicSchema.optional(),
};

const image = z.object({ url: httpUrl, w: dimension, h: dimension });

type FieldList = readonly (readonly [string, TemplateKind])[];
/** Fields that may hold placeholders (each has a same-named fallback field). */
const TEMPLATED: Readonly<Record<Creative['format'], FieldList>> = {
  banner: [['markup', 'html']],
  video: [['vast', 'vast']],
  native: [
    ['title', 'text'],
    ['body', 'text'],
  ],
};
/** Native text fields without a fallback: always static. */
const STATIC_TEXT = ['sponsored', 'cta'] as const;

type Ctx = z.core.$RefinementCtx;

function issue(ctx: Ctx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/**
 * Runs even when other fields failed (so all problems come at once), hence it reads its input
 * as unknown JSON and checks every shape it relies on.
 */
function templateIssues(input: unknown, ctx: Ctx): void {
  if (!isJsonObject(input)) return;
  const format = input.format;
  if (format !== 'banner' && format !== 'video' && format !== 'native') return;
  const dynamic = isJsonObject(input.dynamic) ? input.dynamic : undefined;
  const fallback = dynamic && isJsonObject(dynamic.fallback) ? dynamic.fallback : undefined;
  let templated = 0;
  let usesDiscount = false;

  for (const [field, kind] of TEMPLATED[format]) {
    const source = input[field];
    if (typeof source !== 'string') continue;
    const t = compileTemplate(source, kind, true);
    if (dynamic === undefined) {
      if (t.placeholders.size > 0) issue(ctx, [field], 'placeholders are only filled in dynamic creatives: add `dynamic` with a fallback');
      continue;
    }
    for (const p of t.problems) issue(ctx, [field], `${p.message} (at character ${p.offset})`);
    if (t.placeholders.size === 0 && t.problems.length === 0) continue;
    templated++;
    if (t.placeholders.has('discount')) usesDiscount = true;
    if (fallback && fallback[field] === undefined) issue(ctx, ['dynamic', 'fallback', field], `is required: ${field} has placeholders`);
  }
  if (format === 'native') {
    for (const field of STATIC_TEXT) {
      const source = input[field];
      if (typeof source === 'string' && compileTemplate(source, 'text', true).placeholders.size > 0) {
        issue(ctx, [field], 'placeholders are only filled in title and body');
      }
    }
  }
  if (dynamic === undefined) return;
  if (templated === 0) issue(ctx, ['dynamic'], 'no field has placeholders: a static creative needs no dynamic spec');
  if (usesDiscount && dynamic.discountText === undefined) issue(ctx, ['dynamic', 'discountText'], 'is required: a template uses {{discount}}');
  if (!fallback) return;
  const kinds = new Map(TEMPLATED[format]);
  for (const [field, value] of Object.entries(fallback)) {
    const kind = kinds.get(field);
    if (kind === undefined) {
      if (value !== undefined) issue(ctx, ['dynamic', 'fallback', field], `is not used by ${format} creatives`);
    } else if (typeof value === 'string' && compileTemplate(value, kind, true).placeholders.size > 0) {
      issue(ctx, ['dynamic', 'fallback', field], 'is shown when the profile lacks data: it must not have placeholders');
    }
  }
}

const always = { when: () => true };

const banner = z
  .object({ ...base, format: z.literal('banner'), w: dimension, h: dimension, markup: nonEmpty })
  .superRefine(templateIssues, always);

const video = z
  .object({
    ...base,
    format: z.literal('video'),
    vast: nonEmpty,
    // MIME types are case-insensitive; stored lower case so matching compares exactly.
    mimes: z.array(nonEmpty.toLowerCase()).min(1, 'must list at least one MIME type'),
    durationSec: z.number().positive('must be > 0'),
    protocols: z.array(protocol).min(1, 'must list at least one protocol'),
    w: dimension,
    h: dimension,
  })
  .superRefine(templateIssues, always);

const native = z
  .object({
    ...base,
    format: z.literal('native'),
    title: nonEmpty,
    image: image.optional(),
    icon: image.optional(),
    body: nonEmpty.optional(),
    sponsored: nonEmpty.optional(),
    cta: nonEmpty.optional(),
  })
  .superRefine(templateIssues, always);

export const creativeSchema = z.discriminatedUnion('format', [banner, video, native]) satisfies z.ZodType<Creative>;
