/**
 * The Native 1.2 response markup (`adm` of a native bid), built for the request's assets.
 *
 * - Asset ids echo the request's (as media-spec.ts assigned them); optional assets we cannot fill
 *   are left out; video assets are never filled.
 * - `link.url` is our signed click URL (it redirects to the creative's landing page).
 * - Impressions: `eventtrackers` `[{event: 1, method: 1}]` when the request declares that it
 *   supports them ("bidder must only respond with methods indicated as available in the
 *   request"), else the older `imptrackers`. Never both, so no exchange counts an impression twice.
 * - Version and the 1.0 `{"native": …}` wrapper follow the request.
 *
 * Text assets are plain JSON strings (the publisher renders them as text); every `$` in them is
 * written `\u0024`, which is the same JSON string but cannot form an exchange macro.
 */
import type { NativeCreative } from '../model';
import type { NativeAssetSpec, NativeSpec } from '../engine/request-context';
import { renderField, type DynamicFill, type OwnUrls } from './dynamic';
import { codePoints, fittingImage } from './fit';

const FALLBACK: DynamicFill = { mode: 'fallback' };

interface Texts {
  readonly title: string | undefined;
  readonly body: string | undefined;
}

/** Title and body under `fill`, or undefined when a filled text does not fit its asset (then the fallback is used). */
function textsFor(creative: NativeCreative, assets: readonly NativeAssetSpec[], fill: DynamicFill): Texts | undefined {
  const title = renderField(creative, 'title', fill, undefined);
  const body = creative.body === undefined ? undefined : renderField(creative, 'body', fill, undefined);
  if (title === undefined || (creative.body !== undefined && body === undefined)) return undefined;
  if (fill.mode === 'filled') {
    for (const a of assets) {
      if (a.kind === 'title' && codePoints(title) > a.len) return undefined;
      if (a.kind === 'data' && a.type === 2 && body !== undefined && a.len !== undefined && codePoints(body) > a.len) return undefined;
    }
  }
  return { title, body };
}

function jsonText(s: string): string {
  return JSON.stringify(s).replaceAll('$', '\\u0024');
}

function fits(text: string | undefined, len: number | undefined): text is string {
  return text !== undefined && (len === undefined || codePoints(text) <= len);
}

function assetJson(creative: NativeCreative, asset: NativeAssetSpec, texts: Texts): string | undefined {
  switch (asset.kind) {
    case 'title':
      return fits(texts.title, asset.len) ? `{"id":${asset.id},"title":{"text":${jsonText(texts.title)}}}` : undefined;
    case 'image': {
      const img = fittingImage(creative, asset);
      if (img === undefined) return undefined;
      return `{"id":${asset.id},"img":${JSON.stringify({ type: asset.type, url: img.url, w: img.w, h: img.h })}}`;
    }
    case 'data': {
      const value = asset.type === 1 ? creative.sponsored : asset.type === 2 ? texts.body : asset.type === 12 ? creative.cta : undefined;
      return fits(value, asset.len) ? `{"id":${asset.id},"data":{"type":${asset.type},"value":${jsonText(value)}}}` : undefined;
    }
    case 'video':
      return undefined;
  }
}

/** The native `adm` string; throws only if called for a creative that `creativeFits` would refuse. */
export function renderNativeMarkup(creative: NativeCreative, spec: NativeSpec, urls: OwnUrls, fill: DynamicFill): string {
  const texts = textsFor(creative, spec.assets, fill) ?? textsFor(creative, spec.assets, FALLBACK);
  if (texts === undefined) throw new Error('native creative cannot be rendered (no fallback)');
  const assets: string[] = [];
  for (const asset of spec.assets) {
    const json = assetJson(creative, asset, texts);
    if (json !== undefined) assets.push(json);
  }
  const shape = spec.response;
  const trackers = shape?.impressionImageTracker === true
    ? `"eventtrackers":[{"event":1,"method":1,"url":${JSON.stringify(urls.impressionUrl)}}]`
    : `"imptrackers":[${JSON.stringify(urls.impressionUrl)}]`;
  const body = `{"ver":${JSON.stringify(shape?.ver ?? '1.2')},"assets":[${assets.join(',')}],"link":{"url":${JSON.stringify(urls.clickUrl)}},${trackers}}`;
  return shape?.wrapped === true ? `{"native":${body}}` : body;
}
