/**
 * Does a creative fit an impression? Runs per candidate creative per request, so the banner and
 * video paths only compare numbers and strings in loops (no allocation). Categories and `bcat`
 * are the engine's to check; creative attributes against the media's `battr` are checked here.
 */
import type { Creative, NativeCreative, VideoCreative } from '../model';
import type { BannerSpec, NativeAssetSpec, NativeSpec, Slot, VideoSpec } from '../engine/request-context';
import { creativeTemplates, fieldTemplate } from './dynamic';

export type MediaKind = 'banner' | 'video' | 'native';

/** The media the creative can be served as in this slot, or null. */
export function creativeFits(creative: Creative, slot: Slot): MediaKind | null {
  // A dynamic creative that could not always be rendered (a templated field without fallback) is never chosen.
  if (creative.dynamic !== undefined && !creativeTemplates(creative).renderable) return null;
  switch (creative.format) {
    case 'banner':
      return slot.banner !== undefined && bannerFits(creative.w, creative.h, creative.attributes, slot.banner) ? 'banner' : null;
    case 'video':
      return slot.video !== undefined && videoFits(creative, slot.video) ? 'video' : null;
    case 'native':
      return slot.native !== undefined && nativeFits(creative, slot.native) ? 'native' : null;
  }
}

// Indexed loops: measurably cheaper than for-of here, and this runs per candidate per request.
function blocked(attributes: readonly number[], battr: readonly number[]): boolean {
  if (battr.length === 0 || attributes.length === 0) return false;
  for (let i = 0; i < attributes.length; i++) if (battr.includes(attributes[i] ?? 0)) return true;
  return false;
}

function bannerFits(w: number, h: number, attributes: readonly number[], spec: BannerSpec): boolean {
  if (blocked(attributes, spec.blockedAttributes)) return false;
  const sizes = spec.sizes;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i];
    if (size !== undefined && size.w === w && size.h === h) return true;
  }
  return false;
}

function videoFits(creative: VideoCreative, spec: VideoSpec): boolean {
  if (blocked(creative.attributes, spec.blockedAttributes)) return false;
  const d = creative.durationSec;
  if (spec.minDurationSec !== undefined && d < spec.minDurationSec) return false;
  if (spec.maxDurationSec !== undefined && d > spec.maxDurationSec) return false;
  if (spec.requiredDurationsSec !== undefined && spec.requiredDurationsSec.length > 0 && !spec.requiredDurationsSec.includes(d)) return false;
  if (!intersects(creative.mimes, spec.mimes)) return false;
  return spec.protocols.length === 0 || intersects(creative.protocols, spec.protocols);
}

function intersects<T>(a: readonly T[], b: readonly T[]): boolean {
  for (let i = 0; i < a.length; i++) if (b.includes(a[i] as T)) return true;
  return false;
}

/** Every required asset can be filled, and at least one asset can (a response without assets is not a native ad). */
function nativeFits(creative: NativeCreative, spec: NativeSpec): boolean {
  if (blocked(creative.attributes, spec.blockedAttributes)) return false;
  let any = false;
  for (const asset of spec.assets) {
    if (canFill(creative, asset)) any = true;
    else if (asset.required) return false;
  }
  return any;
}

export function canFill(creative: NativeCreative, asset: NativeAssetSpec): boolean {
  switch (asset.kind) {
    case 'title': {
      const text = textForFit(creative, 'title');
      return text !== undefined && codePoints(text) <= asset.len;
    }
    case 'image':
      return fittingImage(creative, asset) !== undefined;
    case 'data': {
      const text = dataText(creative, asset.type);
      return text !== undefined && (asset.len === undefined || codePoints(text) <= asset.len);
    }
    case 'video':
      return false;
  }
}

type ImageAssetSpec = Extract<NativeAssetSpec, { kind: 'image' }>;

/** The creative's image for an image asset (type 3 main, 1 icon; others we cannot fill) when its size fits. */
export function fittingImage(creative: NativeCreative, asset: ImageAssetSpec): NativeCreative['image'] {
  const img = asset.type === 3 ? creative.image : asset.type === 1 ? creative.icon : undefined;
  return img !== undefined && dimensionFits(img.w, asset.w, asset.wmin) && dimensionFits(img.h, asset.h, asset.hmin) ? img : undefined;
}

/** Native 1.2 §4.4: a minimum allows any larger image; `w`/`h` alone is an exact requirement. */
function dimensionFits(actual: number, exact: number | undefined, min: number | undefined): boolean {
  if (min !== undefined && min > 0) return actual >= min;
  if (exact !== undefined && exact > 0) return actual === exact;
  return true;
}

/** Data asset types we can fill: 1 sponsored, 2 desc, 12 ctatext. */
function dataText(creative: NativeCreative, type: number): string | undefined {
  if (type === 1) return creative.sponsored;
  if (type === 2) return textForFit(creative, 'body');
  if (type === 12) return creative.cta;
  return undefined;
}

/**
 * The text whose length must fit: a templated field is checked through its fallback, the text
 * that can always be shown (a filled text too long for the asset falls back at render time).
 */
function textForFit(creative: NativeCreative, field: 'title' | 'body'): string | undefined {
  const source = field === 'title' ? creative.title : creative.body;
  if (source === undefined || creative.dynamic === undefined) return source;
  return fieldTemplate(creative, field)?.templated === true ? creative.dynamic.fallback[field] : source;
}

/** Native `len` counts characters, not UTF-16 units. */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) n++;
    else {
      const next = s.charCodeAt(i + 1);
      n++;
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return n;
}
