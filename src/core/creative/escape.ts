/**
 * Escaping by output context. Profile values are hostile input: besides the markup characters,
 * a value must not be able to form an exchange macro (`${AUCTION_PRICE}` would make the exchange
 * write the clearing price into the user's ad), so `$` is neutralised wherever the context allows
 * a lossless spelling of it.
 */
import type { OutputContext } from './template';

/** Safe in HTML text, quoted HTML attributes, XML text and XML attributes alike. */
export function escapeMarkup(s: string): string {
  return s.replace(/[&<>"']/g, markupEntity);
}

function markupEntity(c: string): string {
  switch (c) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '"':
      return '&quot;';
    default:
      return '&#39;';
  }
}

/** Inside `<![CDATA[…]]>` entities are not decoded; the only way out is `]]>`, so it is split across two sections. */
export function escapeCdata(s: string): string {
  return s.replaceAll(']]>', ']]]]><![CDATA[>');
}

/** A profile value placed in `context`; `url` = the `|url` filter (URL-encode first, then escape for the context). */
export function encodeValue(value: string, context: OutputContext, url: boolean): string {
  const v = url ? encodeURIComponent(value) : value;
  switch (context) {
    case 'html':
    case 'xml':
      return escapeMarkup(v).replaceAll('$', '&#36;');
    case 'cdata':
      return escapeCdata(v).replaceAll('${', '$]]><![CDATA[{');
    case 'text':
      return v;
  }
}

/** One of our own URLs (click, impression) placed in `context`. */
export function encodeOwnUrl(urlValue: string, context: OutputContext): string {
  switch (context) {
    case 'html':
    case 'xml':
      return escapeMarkup(urlValue);
    case 'cdata':
      return escapeCdata(urlValue);
    case 'text':
      return urlValue;
  }
}

/** Longer values are treated as missing: a product name is short, and the markup size stays bounded. */
export const MAX_VALUE_LENGTH = 256;

/**
 * Cleans a profile value before any template sees it: control characters (illegal in XML) go,
 * lone surrogates (which make `encodeURIComponent` throw) become U+FFFD, whitespace is trimmed.
 * Returns undefined when nothing usable is left or the value is too long.
 */
export function cleanValue(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const v = raw
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .trim();
  return v === '' || v.length > MAX_VALUE_LENGTH ? undefined : v;
}
