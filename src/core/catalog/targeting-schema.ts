/**
 * Schema of targeting expressions. An expression is an object with exactly one operator key;
 * validating it as one object with every key optional (then checking there is exactly one)
 * gives authors one precise error at the right path, where a plain union would report why each
 * of fifteen alternatives failed.
 */
import { z } from 'zod';
import type { TargetingExpr } from '../model';

/** `@` is reserved: segment keys in profiles are `<segment>@<advertiserId>`. */
export const id = z.string().min(1).max(128).regex(/^[^@]+$/, 'must not contain "@"');

const MAX_LIST = 10_000;
const MAX_DEPTH = 12;
const strings = z.array(z.string().min(1).max(256)).min(1).max(MAX_LIST);

const geoSchema = z
  .strictObject({
    country: z.array(z.string().regex(/^[A-Za-z]{3}$/, 'ISO 3166-1 alpha-3 (as OpenRTB sends it), e.g. "USA"')).min(1).max(300).optional(),
    region: strings.optional(),
    metro: strings.optional(),
    postalPrefix: strings.optional(),
  })
  .refine((g) => Object.keys(g).length > 0, 'needs at least one of country, region, metro, postalPrefix');

const deviceSchema = z
  .strictObject({
    type: z.array(z.number().int().min(1).max(8)).min(1).optional(),
    os: strings.optional(),
    make: strings.optional(),
  })
  .refine((d) => Object.keys(d).length > 0, 'needs at least one of type, os, make');

const daypartSchema = z
  .strictObject({
    hours: z.array(z.number().int().min(0).max(23)).min(1).max(24).optional(),
    weekdays: z.array(z.number().int().min(0).max(6)).min(1).max(7).optional(),
    utcOffsetMinutes: z.number().int().min(-720).max(840).optional(),
  })
  .refine((d) => d.hours !== undefined || d.weekdays !== undefined, 'needs hours or weekdays');

const inventorySchema = z
  .strictObject({ domain: strings.optional(), bundle: strings.optional(), category: strings.optional(), publisher: strings.optional() })
  .refine((t) => Object.keys(t).length > 0, 'needs at least one of domain, bundle, category, publisher');

const formatSchema = z
  .array(z.string().regex(/^(banner|video|native|[1-9]\d{0,4}x[1-9]\d{0,4})$/, 'one of banner, video, native, or a size like 300x250'))
  .min(1)
  .max(64);

const OPERATORS = ['all', 'any', 'not', 'segment', 'geo', 'device', 'daypart', 'site', 'app', 'keywords', 'keyValues', 'deal', 'score', 'format'];

function exprSchema(depth: number): z.ZodType<TargetingExpr> {
  const inner: z.ZodType<TargetingExpr> =
    depth >= MAX_DEPTH
      ? z.never({ error: `expressions nest at most ${MAX_DEPTH} deep` })
      : z.lazy(() => exprSchema(depth + 1));
  return z
    .strictObject({
      all: z.array(inner).min(1).max(256).optional(),
      any: z.array(inner).min(1).max(256).optional(),
      not: inner.optional(),
      segment: id.optional(),
      geo: geoSchema.optional(),
      device: deviceSchema.optional(),
      daypart: daypartSchema.optional(),
      site: inventorySchema.optional(),
      app: inventorySchema.optional(),
      keywords: strings.optional(),
      keyValues: z.record(z.string().min(1).max(64), strings).optional(),
      deal: strings.optional(),
      score: z.strictObject({ model: id, atLeast: z.number().min(0).max(1) }).optional(),
      format: formatSchema.optional(),
    })
    .superRefine((o, ctx) => {
      const n = Object.keys(o).length;
      if (n !== 1) ctx.addIssue({ code: 'custom', message: `an expression has exactly one operator (${OPERATORS.join(', ')}); found ${n}` });
    })
    .transform((o, ctx): TargetingExpr => {
      if (o.all) return { all: o.all };
      if (o.any) return { any: o.any };
      if (o.not) return { not: o.not };
      if (o.segment !== undefined) return { segment: o.segment };
      if (o.geo) return { geo: o.geo };
      if (o.device) return { device: o.device };
      if (o.daypart) return { daypart: o.daypart };
      if (o.site) return { site: o.site };
      if (o.app) return { app: o.app };
      if (o.keywords) return { keywords: o.keywords };
      if (o.keyValues) return { keyValues: o.keyValues };
      if (o.deal) return { deal: o.deal };
      if (o.score) return { score: o.score };
      if (o.format) return { format: o.format };
      ctx.addIssue({ code: 'custom', message: 'empty expression' });
      return z.NEVER;
    });
}

export const targetingExprSchema: z.ZodType<TargetingExpr> = exprSchema(0);
