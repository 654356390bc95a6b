/**
 * Dynamic creatives: which placeholders a creative's templates use, whether the profile can fill
 * all of them, and filling a template for one output context.
 *
 * All or nothing: when any placeholder in any of the creative's templated fields has no value, the
 * whole creative renders its static `dynamic.fallback` fields (never a half-filled template, never
 * a filled title next to a fallback body).
 */
import type { Creative, DynamicData, DynamicSpec, ProfileSnapshot } from '../model';
import { segmentKey } from '../segments/segment-key';
import { cleanValue, encodeOwnUrl, encodeValue } from './escape';
import { compileTemplate, type CompiledTemplate, type PlaceholderName, type TemplateKind } from './template';

export type PlaceholderValues = Readonly<Partial<Record<PlaceholderName, string>>>;

export type DynamicFill =
  /** The creative has no `dynamic` spec: templates are static (only our macros are filled). */
  | { readonly mode: 'static' }
  /** Some placeholder has no value (or a template is unsafe): the static fallback fields are shown. */
  | { readonly mode: 'fallback' }
  /** Every placeholder of every templated field has a value (already cleaned, not yet escaped). */
  | { readonly mode: 'filled'; readonly values: PlaceholderValues };

/** Fields that may hold placeholders, per format; each has a same-named fallback field. */
export type TemplatedField = 'markup' | 'vast' | 'title' | 'body';

export interface FieldTemplate {
  readonly field: TemplatedField;
  readonly kind: TemplateKind;
  readonly template: CompiledTemplate;
  /** The field takes part in dynamic filling (dynamic creative, and the field has placeholders or problems). */
  readonly templated: boolean;
  /** The compiled `dynamic.fallback[field]`, when the creative has one. */
  readonly fallback: CompiledTemplate | undefined;
}

export interface CreativeTemplates {
  readonly fields: readonly FieldTemplate[];
  /** Every placeholder used across the templated fields. */
  readonly placeholders: ReadonlySet<PlaceholderName>;
  /** Some template has a problem (unknown placeholder, unsafe position): it is never filled. */
  readonly unsafe: boolean;
  /** Every templated field has a fallback, so the creative can always be rendered. */
  readonly renderable: boolean;
}

export interface OwnUrls {
  readonly clickUrl: string;
  readonly impressionUrl: string;
}

const STATIC: DynamicFill = { mode: 'static' };
const FALLBACK: DynamicFill = { mode: 'fallback' };

function sources(creative: Creative): readonly (readonly [TemplatedField, TemplateKind, string | undefined])[] {
  switch (creative.format) {
    case 'banner':
      return [['markup', 'html', creative.markup]];
    case 'video':
      return [['vast', 'vast', creative.vast]];
    case 'native':
      return [
        ['title', 'text', creative.title],
        ['body', 'text', creative.body],
      ];
  }
}

// Catalog creatives are immutable and live as long as their compiled catalog: compile once each.
const cache = new WeakMap<Creative, CreativeTemplates>();

export function creativeTemplates(creative: Creative): CreativeTemplates {
  const hit = cache.get(creative);
  if (hit) return hit;
  const dynamic = creative.dynamic;
  const fields: FieldTemplate[] = [];
  const placeholders = new Set<PlaceholderName>();
  let unsafe = false;
  let renderable = true;
  for (const [field, kind, source] of sources(creative)) {
    if (source === undefined) continue;
    const template = compileTemplate(source, kind, dynamic !== undefined);
    const templated = dynamic !== undefined && (template.placeholders.size > 0 || template.problems.length > 0);
    const fallbackSource = dynamic?.fallback[field];
    const fallback = fallbackSource === undefined ? undefined : compileTemplate(fallbackSource, kind, false);
    if (templated) {
      template.placeholders.forEach((p) => placeholders.add(p));
      if (template.problems.length > 0) unsafe = true;
      if (fallback === undefined) renderable = false;
    }
    fields.push({ field, kind, template, templated, fallback });
  }
  const out: CreativeTemplates = { fields, placeholders, unsafe, renderable };
  cache.set(creative, out);
  return out;
}

export function fieldTemplate(creative: Creative, field: TemplatedField): FieldTemplate | undefined {
  return creativeTemplates(creative).fields.find((f) => f.field === field);
}

function valueOf(name: PlaceholderName, spec: DynamicSpec, data: DynamicData | undefined, dealSeeker: boolean): string | undefined {
  switch (name) {
    case 'cart_product_id':
      return cleanValue(data?.cartProductId);
    case 'cart_product_name':
      return cleanValue(data?.cartProductName);
    case 'top_category':
      return cleanValue(data?.topCategory);
    case 'discount':
      return dealSeeker ? cleanValue(spec.discountText) : undefined;
  }
}

/**
 * Decides how a creative renders for this user: `data` is the profile's dynamic data for the
 * creative's advertiser, `dealSeeker` whether the user is in that advertiser's `deal_seekers`.
 */
export function dynamicFill(creative: Creative, data: DynamicData | undefined, dealSeeker: boolean): DynamicFill {
  const spec = creative.dynamic;
  if (spec === undefined) return STATIC;
  const templates = creativeTemplates(creative);
  if (templates.unsafe) return FALLBACK;
  const values: Partial<Record<PlaceholderName, string>> = {};
  for (const name of templates.placeholders) {
    const v = valueOf(name, spec, data, dealSeeker);
    if (v === undefined) return FALLBACK;
    values[name] = v;
  }
  return { mode: 'filled', values };
}

/** What `dynamicFill` needs from a profile (nothing after an opt-out). */
export function dynamicInputs(
  profile: ProfileSnapshot | undefined,
  advertiserId: string,
  nowMs: number,
): { readonly data: DynamicData | undefined; readonly dealSeeker: boolean } {
  if (profile === undefined || profile.optedOut === true) return { data: undefined, dealSeeker: false };
  const m = profile.segments[segmentKey('deal_seekers', advertiserId)];
  return { data: profile.dynamic?.[advertiserId], dealSeeker: m !== undefined && m.sinceMs <= nowMs && nowMs < m.expiresAtMs };
}

/**
 * Fills a compiled template: values escaped for each token's context, our macros replaced by our
 * URLs (left as written when `urls` is absent). Undefined when a placeholder has no value.
 */
export function fillTemplate(template: CompiledTemplate, values: PlaceholderValues | undefined, urls: OwnUrls | undefined): string | undefined {
  let out = '';
  for (const seg of template.segments) {
    switch (seg.kind) {
      case 'literal':
        out += seg.text;
        break;
      case 'macro':
        out += urls === undefined ? `\${${seg.name}}` : encodeOwnUrl(seg.name === 'CLICK_URL' ? urls.clickUrl : urls.impressionUrl, seg.context);
        break;
      case 'placeholder': {
        const v = values?.[seg.name];
        if (v === undefined) return undefined;
        out += encodeValue(v, seg.context, seg.url);
        break;
      }
    }
  }
  return out;
}

/**
 * The output of one field: the filled template (`filled`), its fallback (`fallback`, or a
 * `static` fill of a dynamic creative), or the static template. Undefined when the field is not
 * on the creative, or a value or the fallback is missing (the caller then renders the fallback
 * or gives up).
 */
export function renderField(creative: Creative, field: TemplatedField, fill: DynamicFill, urls: OwnUrls | undefined): string | undefined {
  const ft = fieldTemplate(creative, field);
  if (ft === undefined) return undefined;
  if (!ft.templated) return fillTemplate(ft.template, undefined, urls);
  if (fill.mode === 'filled') return fillTemplate(ft.template, fill.values, urls);
  return ft.fallback === undefined ? undefined : fillTemplate(ft.fallback, undefined, urls);
}
