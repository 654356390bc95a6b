/**
 * Renders the chosen creative into the bid's markup: banner HTML, VAST XML or the Native 1.2
 * response JSON, with our `${CLICK_URL}` / `${IMPRESSION_URL}` filled (escaped for where they sit)
 * and dynamic placeholders filled or replaced by the fallback. `${AUCTION_PRICE}` and the other
 * exchange macros are left for the exchange.
 */
import type { Creative } from '../model';
import type { Slot } from '../engine/request-context';
import { renderField, type DynamicFill, type OwnUrls, type TemplatedField } from './dynamic';
import type { MediaKind } from './fit';
import { renderNativeMarkup } from './native-markup';

export interface RenderedAd {
  readonly adm: string;
  /** OpenRTB 2.6 `mtype`: 1 banner, 2 video, 4 native. */
  readonly mtype: 1 | 2 | 4;
  readonly w?: number;
  readonly h?: number;
}

const FALLBACK: DynamicFill = { mode: 'fallback' };

function markupOf(creative: Creative, field: TemplatedField, urls: OwnUrls, fill: DynamicFill): string {
  const out = renderField(creative, field, fill, urls) ?? renderField(creative, field, FALLBACK, urls);
  if (out === undefined) throw new Error('creative cannot be rendered (no fallback)');
  return out;
}

/**
 * `media` is what `creativeFits` returned for this creative and slot. Throws only on a caller bug
 * (media other than the creative's format, native without the slot's native spec, or a creative
 * `creativeFits` refuses because it could not always be rendered).
 */
export function renderAd(creative: Creative, media: MediaKind, slot: Slot, urls: OwnUrls, fill: DynamicFill): RenderedAd {
  if (media !== creative.format) throw new Error('renderAd: media does not match the creative format');
  switch (creative.format) {
    case 'banner':
      return { adm: markupOf(creative, 'markup', urls, fill), mtype: 1, w: creative.w, h: creative.h };
    case 'video':
      return { adm: markupOf(creative, 'vast', urls, fill), mtype: 2, w: creative.w, h: creative.h };
    case 'native':
      if (slot.native === undefined) throw new Error('renderAd: native creative for a slot without native');
      return { adm: renderNativeMarkup(creative, slot.native, urls, fill), mtype: 4 };
  }
}
