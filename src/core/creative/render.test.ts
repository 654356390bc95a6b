import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BannerCreative, NativeCreative, VideoCreative } from '../model';
import type { NativeAssetSpec, NativeSpec, Slot } from '../engine/request-context';
import { dynamicFill, type DynamicFill } from './dynamic';
import { creativeFits } from './fit';
import { renderAd } from './render';

const urls = { clickUrl: 'https://edge.example/v1/t/c.tok?a=1&b=2', impressionUrl: 'https://edge.example/v1/t/i.tok' };
const STATIC: DynamicFill = { mode: 'static' };
const HOSTILE = `"><script>alert(1)</script>' onerror=x \${AUCTION_PRICE} ]]></Impression>`;

const common = { advertiserId: 'adv-acme', clickUrl: 'https://acme.example/cart', categories: [], attributes: [], weight: 1 };

const slot = (media: Pick<Slot, 'banner' | 'video' | 'native'>): Slot => ({
  id: '1',
  floorMicros: 0,
  deals: [],
  privateAuction: false,
  keyValues: {},
  ...media,
});
const bannerSlot = slot({ banner: { sizes: [{ w: 300, h: 250 }], blockedAttributes: [] } });
const videoSlot = slot({ video: { mimes: ['video/mp4'], protocols: [], blockedAttributes: [] } });

const staticBanner: BannerCreative = {
  ...common,
  id: 'b',
  format: 'banner',
  w: 300,
  h: 250,
  markup: '<a href="${CLICK_URL}"><img src="https://cdn.example/a.png?p=${AUCTION_PRICE}"></a><img src="${IMPRESSION_URL}" width="1" height="1">',
};

const dynamicBanner: BannerCreative = {
  ...staticBanner,
  id: 'bd',
  markup:
    '<a href="${CLICK_URL}" title="{{cart_product_name}}">Still thinking about the {{cart_product_name}}?</a>' +
    '<img src="https://cdn.example/p/{{cart_product_id|url}}.jpg">',
  dynamic: { fallback: { markup: '<a href="${CLICK_URL}">Acme outdoor gear</a>' } },
};

const dynamicVideo: VideoCreative = {
  ...common,
  id: 'v',
  format: 'video',
  mimes: ['video/mp4'],
  durationSec: 15,
  protocols: [2, 3],
  w: 640,
  h: 360,
  vast:
    '<VAST version="3.0"><Ad id="1"><InLine><AdSystem>edgebid</AdSystem><AdTitle>{{cart_product_name}}</AdTitle>' +
    '<Impression><![CDATA[${IMPRESSION_URL}]]></Impression><Creatives><Creative><Linear>' +
    '<AdParameters><![CDATA[{{cart_product_name}}]]></AdParameters>' +
    '<VideoClicks><ClickThrough><![CDATA[${CLICK_URL}]]></ClickThrough></VideoClicks>' +
    '<MediaFiles><MediaFile type="video/mp4"><![CDATA[https://cdn.example/v/{{cart_product_id|url}}.mp4]]></MediaFile></MediaFiles>' +
    '</Linear></Creative></Creatives></InLine></Ad></VAST>',
  dynamic: { fallback: { vast: '<VAST version="3.0"><Ad id="1"><InLine><Impression>${IMPRESSION_URL}</Impression></InLine></Ad></VAST>' } },
};

const dynamicNative: NativeCreative = {
  ...common,
  id: 'n',
  format: 'native',
  title: 'Back to {{cart_product_name}}',
  body: 'Your {{cart_product_name}} is waiting. {{discount}}',
  sponsored: 'Acme',
  cta: 'Buy now',
  image: { url: 'https://cdn.example/main.jpg', w: 1200, h: 627 },
  icon: { url: 'https://cdn.example/icon.png', w: 80, h: 80 },
  dynamic: { discountText: '10% off', fallback: { title: 'Acme tents', body: 'Light tents for two.' } },
};

const nativeAssets: NativeAssetSpec[] = [
  { id: 7, required: true, kind: 'title', len: 90 },
  { id: 3, required: true, kind: 'image', type: 3, wmin: 600, hmin: 300 },
  { id: 9, required: false, kind: 'image', type: 1, w: 50, h: 50 },
  { id: 4, required: false, kind: 'data', type: 2, len: 140 },
  { id: 5, required: false, kind: 'data', type: 1 },
  { id: 6, required: false, kind: 'video' },
  { id: 8, required: false, kind: 'data', type: 3 },
];
const nativeSlot = (spec: Partial<NativeSpec> = {}): Slot => slot({ native: { assets: nativeAssets, blockedAttributes: [], ...spec } });

/** Random text, half of it built from the fragments escaping is about. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom('<', '>', '"', "'", '&', '$', '{', '}', ']]>', '${AUCTION_PRICE}', '<script>', 'a', ' ', '\u0000', '\uD800', '🏕'), maxLength: 20 }),
);

/** Inverse of escapeMarkup (for checking that text comes back exactly). */
function unescapeMarkup(s: string): string {
  return s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&#36;', '$')
    .replaceAll('&amp;', '&');
}

describe('banner', () => {
  it('fills our macros escaped for the attribute, leaves exchange macros, answers mtype 1 with the size', () => {
    expect(renderAd(staticBanner, 'banner', bannerSlot, urls, STATIC)).toEqual({
      adm:
        '<a href="https://edge.example/v1/t/c.tok?a=1&amp;b=2"><img src="https://cdn.example/a.png?p=${AUCTION_PRICE}"></a>' +
        '<img src="https://edge.example/v1/t/i.tok" width="1" height="1">',
      mtype: 1,
      w: 300,
      h: 250,
    });
  });

  it('escapes our URLs like the previous renderer (& and " and <)', () => {
    const odd = { clickUrl: 'https://e.example/?a="x"&b=<', impressionUrl: 'https://e.example/i' };
    const c: BannerCreative = { ...staticBanner, markup: '<a href="${CLICK_URL}">x</a>' };
    expect(renderAd(c, 'banner', bannerSlot, odd, STATIC).adm).toBe('<a href="https://e.example/?a=&quot;x&quot;&amp;b=&lt;">x</a>');
  });

  it('fills placeholders from the profile, or shows the whole fallback', () => {
    const filled = renderAd(dynamicBanner, 'banner', bannerSlot, urls, dynamicFill(dynamicBanner, { cartProductName: 'Tent 2p', cartProductId: 'tent 2p/blue' }, false));
    expect(filled.adm).toBe(
      '<a href="https://edge.example/v1/t/c.tok?a=1&amp;b=2" title="Tent 2p">Still thinking about the Tent 2p?</a>' +
        '<img src="https://cdn.example/p/tent%202p%2Fblue.jpg">',
    );
    const fallback = renderAd(dynamicBanner, 'banner', bannerSlot, urls, dynamicFill(dynamicBanner, { cartProductName: 'Tent 2p' }, false));
    expect(fallback.adm).toBe('<a href="https://edge.example/v1/t/c.tok?a=1&amp;b=2">Acme outdoor gear</a>');
  });

  it('keeps a hostile product name inert in text and attributes', () => {
    const { adm } = renderAd(dynamicBanner, 'banner', bannerSlot, urls, dynamicFill(dynamicBanner, { cartProductName: HOSTILE, cartProductId: HOSTILE }, false));
    expect(adm).not.toContain('<script');
    expect(adm).not.toContain('${AUCTION_PRICE}');
    expect(adm).toContain('title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#39; onerror=x &#36;{AUCTION_PRICE} ]]&gt;&lt;/Impression&gt;"');
    expect(adm).toContain('https://cdn.example/p/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&#39;%20onerror%3Dx%20%24%7BAUCTION_PRICE%7D');
  });

  it('property: any product name comes back exactly from the text and never opens markup or a macro', () => {
    fc.assert(
      fc.property(hostileText, hostileText, (name, id) => {
        const fill = dynamicFill(dynamicBanner, { cartProductName: name, cartProductId: id }, false);
        const { adm } = renderAd(dynamicBanner, 'banner', bannerSlot, urls, fill);
        if (fill.mode !== 'filled') return adm === '<a href="https://edge.example/v1/t/c.tok?a=1&amp;b=2">Acme outdoor gear</a>';
        const text = /Still thinking about the (.*)\?<\/a>/s.exec(adm)?.[1] ?? '';
        const path = /\/p\/(.*)\.jpg/.exec(adm)?.[1] ?? '';
        return (
          !/[<>"']/.test(text) &&
          unescapeMarkup(text) === fill.values.cart_product_name &&
          !adm.includes('${') &&
          decodeURIComponent(unescapeMarkup(path)) === fill.values.cart_product_id
        );
      }),
    );
  });
});

describe('video', () => {
  it('answers the VAST with mtype 2, our URLs raw inside CDATA', () => {
    const fill = dynamicFill(dynamicVideo, { cartProductName: 'Tent & poles', cartProductId: 't/1' }, false);
    const ad = renderAd(dynamicVideo, 'video', videoSlot, urls, fill);
    expect(ad.mtype).toBe(2);
    expect(ad.w).toBe(640);
    expect(ad.adm).toContain('<AdTitle>Tent &amp; poles</AdTitle>');
    expect(ad.adm).toContain('<AdParameters><![CDATA[Tent & poles]]></AdParameters>');
    expect(ad.adm).toContain('<Impression><![CDATA[https://edge.example/v1/t/i.tok]]></Impression>');
    expect(ad.adm).toContain('<ClickThrough><![CDATA[https://edge.example/v1/t/c.tok?a=1&b=2]]></ClickThrough>');
    expect(ad.adm).toContain('https://cdn.example/v/t%2F1.mp4');
  });

  it('shows the fallback VAST, our URL XML-escaped outside CDATA', () => {
    const ad = renderAd(dynamicVideo, 'video', videoSlot, urls, dynamicFill(dynamicVideo, {}, false));
    expect(ad.adm).toBe('<VAST version="3.0"><Ad id="1"><InLine><Impression>https://edge.example/v1/t/i.tok</Impression></InLine></Ad></VAST>');
  });

  it('keeps a hostile product name inert in XML text and in CDATA', () => {
    const { adm } = renderAd(dynamicVideo, 'video', videoSlot, urls, dynamicFill(dynamicVideo, { cartProductName: HOSTILE, cartProductId: 'x' }, false));
    // Inside CDATA `<script>` is character data; outside it no element may appear.
    const outsideCdata = adm.replace(/<!\[CDATA\[.*?\]\]>/gs, '');
    expect(outsideCdata).not.toContain('<script');
    expect(outsideCdata).not.toContain(']]>');
    expect(adm).not.toContain('${AUCTION_PRICE}');
    // Exactly the template's own CDATA closers and Impression closers remain.
    expect(adm.split(']]></Impression>').length).toBe(2);
    expect(adm).toContain('<AdTitle>&quot;&gt;&lt;script&gt;');
  });

  it('property: a value inside CDATA reassembles to itself and never closes the section early', () => {
    fc.assert(
      fc.property(hostileText, (name) => {
        const fill = dynamicFill(dynamicVideo, { cartProductName: name, cartProductId: 'x' }, false);
        if (fill.mode !== 'filled') return;
        const { adm } = renderAd(dynamicVideo, 'video', videoSlot, urls, fill);
        const inner = /<AdParameters><!\[CDATA\[(.*)\]\]><\/AdParameters>/s.exec(adm)?.[1] ?? '';
        const text = inner.replaceAll(']]]]><![CDATA[>', ']]>').replaceAll('$]]><![CDATA[{', '${');
        expect(text).toBe(fill.values.cart_product_name);
        expect(adm.split('${').length).toBe(1);
      }),
    );
  });
});

describe('native', () => {
  it('answers Native 1.2 JSON for the request asset ids, with link and imptrackers', () => {
    const ad = renderAd(dynamicNative, 'native', nativeSlot(), urls, dynamicFill(dynamicNative, { cartProductName: 'Tent' }, true));
    expect(ad.mtype).toBe(4);
    expect(ad.w).toBeUndefined();
    expect(JSON.parse(ad.adm)).toEqual({
      ver: '1.2',
      assets: [
        { id: 7, title: { text: 'Back to Tent' } },
        { id: 3, img: { type: 3, url: 'https://cdn.example/main.jpg', w: 1200, h: 627 } },
        { id: 4, data: { type: 2, value: 'Your Tent is waiting. 10% off' } },
        { id: 5, data: { type: 1, value: 'Acme' } },
      ],
      link: { url: urls.clickUrl },
      imptrackers: [urls.impressionUrl],
    });
  });

  it('uses eventtrackers when the request declares impression image tracking, and the 1.0 wrapper when the request used it', () => {
    const tracked = renderAd(dynamicNative, 'native', nativeSlot({ response: { ver: '1.2', wrapped: false, impressionImageTracker: true } }), urls, STATIC);
    const parsed = JSON.parse(tracked.adm) as Record<string, unknown>;
    expect(parsed.eventtrackers).toEqual([{ event: 1, method: 1, url: urls.impressionUrl }]);
    expect(parsed.imptrackers).toBeUndefined();
    const wrapped = renderAd(dynamicNative, 'native', nativeSlot({ response: { ver: '1.0', wrapped: true, impressionImageTracker: false } }), urls, STATIC);
    const root = JSON.parse(wrapped.adm) as { native: { ver: string; imptrackers: string[] } };
    expect(root.native.ver).toBe('1.0');
    expect(root.native.imptrackers).toEqual([urls.impressionUrl]);
  });

  it('falls back as a whole when the profile lacks a value, or a filled text is too long for its asset', () => {
    const fallbackTexts = [
      { id: 7, title: { text: 'Acme tents' } },
      { id: 4, data: { type: 2, value: 'Light tents for two.' } },
    ];
    const texts = (adm: string): unknown[] =>
      (JSON.parse(adm) as { assets: { title?: unknown; data?: { type: number } }[] }).assets.filter((a) => a.title !== undefined || a.data?.type === 2);
    const missing = renderAd(dynamicNative, 'native', nativeSlot(), urls, dynamicFill(dynamicNative, { cartProductName: 'Tent' }, false));
    expect(texts(missing.adm)).toEqual(fallbackTexts);
    const long = renderAd(dynamicNative, 'native', nativeSlot(), urls, dynamicFill(dynamicNative, { cartProductName: 'T'.repeat(100) }, true));
    expect(texts(long.adm)).toEqual(fallbackTexts);
  });

  it('keeps hostile text a plain JSON string, with $ written so no exchange macro can form', () => {
    const fill = dynamicFill(dynamicNative, { cartProductName: HOSTILE }, false);
    const assets: NativeAssetSpec[] = [{ id: 1, required: true, kind: 'title', len: 200 }];
    const { adm } = renderAd({ ...dynamicNative, body: undefined }, 'native', nativeSlot({ assets }), urls, { ...fill, mode: 'filled', values: { cart_product_name: HOSTILE } });
    expect(adm).not.toContain('${');
    expect(adm).toContain('\\u0024{AUCTION_PRICE}');
    expect((JSON.parse(adm) as { assets: { title: { text: string } }[] }).assets[0]?.title.text).toBe(`Back to ${HOSTILE}`);
  });

  it('property: any product name parses back exactly from the JSON and never forms a macro', () => {
    const assets: NativeAssetSpec[] = [{ id: 1, required: true, kind: 'title', len: 400 }];
    fc.assert(
      fc.property(hostileText, (name) => {
        const fill = dynamicFill(dynamicNative, { cartProductName: name }, true);
        const { adm } = renderAd(dynamicNative, 'native', nativeSlot({ assets }), urls, fill);
        const text = (JSON.parse(adm) as { assets: { title: { text: string } }[] }).assets[0]?.title.text;
        const expected = fill.mode === 'filled' ? `Back to ${fill.values.cart_product_name ?? ''}` : 'Acme tents';
        return text === expected && !adm.includes('${');
      }),
    );
  });

  it('renders what creativeFits accepted for a request it was built from', () => {
    const s = nativeSlot();
    expect(creativeFits(dynamicNative, s)).toBe('native');
    expect(() => renderAd(dynamicNative, 'native', s, urls, STATIC)).not.toThrow();
  });
});

describe('caller mistakes', () => {
  it('throws when media and creative format disagree, or native is rendered for a slot without native', () => {
    expect(() => renderAd(staticBanner, 'video', videoSlot, urls, STATIC)).toThrow(/media/);
    expect(() => renderAd(dynamicNative, 'native', bannerSlot, urls, STATIC)).toThrow(/native/);
  });
});
