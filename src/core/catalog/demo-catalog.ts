/**
 * The demo catalog `npm start` publishes when the local catalog is empty: three advertisers,
 * retargeting (with a dynamic cart creative and a 10 % holdout), cross-sell with a lookalike
 * model, prospecting with frequency caps and wear-out, a PMP deal, video and native.
 * Segment names in targeting and adjustments mean the segment of the line item's own advertiser.
 * Markup is self-contained HTML (no external images), so it renders offline.
 */
import type { BannerCreative, CatalogDocument } from '../model';

const usd = (dollars: number): number => Math.round(dollars * 1_000_000);

function banner(id: string, advertiserId: string, w: number, h: number, text: string, colour: string, landing: string): BannerCreative {
  return {
    id,
    advertiserId,
    format: 'banner',
    w,
    h,
    markup:
      `<a href="\${CLICK_URL}" target="_blank" rel="noopener" style="display:flex;align-items:center;justify-content:center;` +
      `width:${w}px;height:${h}px;background:${colour};color:#fff;font:600 16px sans-serif;text-decoration:none">${text}</a>` +
      `<img src="\${IMPRESSION_URL}" width="1" height="1" alt="" style="display:none">`,
    clickUrl: landing,
    categories: [],
    attributes: [],
    weight: 1,
  };
}

/**
 * The cart creative names the product left in the cart (from the profile, HTML-escaped at render
 * time) and offers deal seekers a discount; without a cart product it shows the static banner.
 */
function dynamicCart(c: BannerCreative): BannerCreative {
  return {
    ...c,
    markup: c.markup.replace('Your tent is still in the cart', 'Your {{cart_product_name}} is still in the cart'),
    dynamic: { fallback: { markup: c.markup } },
  };
}

const DAY_SEC = 86_400;
const purchases = (days: number) => ({ eventTypes: ['purchase', 'conversion'] as const, suppressWithinSec: days * DAY_SEC });

const acmeCart = 'https://acme-outdoor.example/cart';
const acmeHome = 'https://acme-outdoor.example/';
const nimbus = 'https://nimbus-shoes.example/new';
const northwind = 'https://northwind-coffee.example/';

export const DEMO_CATALOG: CatalogDocument = {
  version: 1,
  currency: 'USD',
  currencyRates: { EUR: 1.08, GBP: 1.27, CAD: 0.73, JPY: 0.0067 },
  advertisers: [
    { id: 'adv-acme', name: 'Acme Outdoor', domains: ['acme-outdoor.example'], categories: ['IAB17'] },
    { id: 'adv-nimbus', name: 'Nimbus Shoes', domains: ['nimbus-shoes.example'], categories: ['IAB18'] },
    { id: 'adv-northwind', name: 'Northwind Coffee', domains: ['northwind-coffee.example'], categories: ['IAB8'] },
  ],
  campaigns: [
    { id: 'cmp-acme-retargeting', advertiserId: 'adv-acme', name: 'Acme cart recovery', conversion: purchases(30), holdoutPct: 10 },
    { id: 'cmp-acme-prospecting', advertiserId: 'adv-acme', name: 'Acme awareness', conversion: purchases(0), holdoutPct: 0 },
    { id: 'cmp-nimbus-cross-sell', advertiserId: 'adv-nimbus', name: 'Nimbus: more for product explorers', conversion: purchases(14), holdoutPct: 0 },
    { id: 'cmp-northwind-prospecting', advertiserId: 'adv-northwind', name: 'Northwind awareness', conversion: purchases(0), holdoutPct: 0 },
    { id: 'cmp-northwind-pmp', advertiserId: 'adv-northwind', name: 'Northwind premium video (PMP)', conversion: purchases(0), holdoutPct: 0 },
  ],
  lineItems: [
    {
      id: 'li-acme-cart-retargeting',
      campaignId: 'cmp-acme-retargeting',
      name: 'Cart abandoners, 7 days',
      status: 'active',
      targeting: { segment: 'cart_abandoners' },
      baseCpmMicros: usd(2.5),
      maxCpmMicros: usd(6),
      adjustments: [{ kind: 'when', when: { segment: 'cart_abandoners' }, multiplier: 1.6 }],
      frequencyCaps: [{ scope: 'lineItem', max: 6, windowSec: DAY_SEC }],
      creativeIds: ['cr-acme-cart-300x250', 'cr-acme-cart-728x90', 'cr-acme-cart-320x50', 'cr-acme-cart-300x600'],
      priority: 10,
    },
    {
      id: 'li-nimbus-explorers',
      campaignId: 'cmp-nimbus-cross-sell',
      name: 'Product explorers cross-sell',
      status: 'active',
      targeting: { segment: 'product_explorers' },
      baseCpmMicros: usd(2),
      maxCpmMicros: usd(4),
      adjustments: [
        { kind: 'when', when: { segment: 'cart_abandoners' }, multiplier: 1.2 },
        // Fresh interest bids higher: ×1.3 right after a product view, back to ×1 a day later.
        { kind: 'recency', event: 'product_view', withinSec: DAY_SEC, multiplier: 1.3 },
        { kind: 'score', model: 'lal-nimbus-buyers', curve: [[0.5, 1], [0.9, 1.5]] },
      ],
      frequencyCaps: [{ scope: 'campaign', max: 4, windowSec: DAY_SEC, raiseFor: { model: 'lal-nimbus-buyers', atLeast: 0.8, raisedMax: 8 } }],
      creativeIds: ['cr-nimbus-300x250', 'cr-nimbus-320x50', 'cr-nimbus-native'],
      priority: 5,
    },
    {
      id: 'li-acme-prospecting',
      campaignId: 'cmp-acme-prospecting',
      name: 'Run of network',
      status: 'active',
      targeting: null,
      baseCpmMicros: usd(1.2),
      maxCpmMicros: usd(2),
      adjustments: [
        { kind: 'when', when: { segment: 'product_explorers' }, multiplier: 1.25 },
        { kind: 'impressionDecay', scope: 'lineItem', windowSec: DAY_SEC, factor: 0.9, floor: 0.5 },
      ],
      frequencyCaps: [{ scope: 'lineItem', max: 10, windowSec: DAY_SEC }],
      creativeIds: ['cr-acme-brand-300x250', 'cr-acme-brand-728x90', 'cr-acme-brand-160x600'],
      priority: 1,
    },
    {
      id: 'li-northwind-prospecting',
      campaignId: 'cmp-northwind-prospecting',
      name: 'Run of network',
      status: 'active',
      targeting: null,
      baseCpmMicros: usd(0.9),
      maxCpmMicros: usd(1.5),
      adjustments: [],
      frequencyCaps: [],
      creativeIds: ['cr-northwind-300x250', 'cr-northwind-970x250', 'cr-northwind-video-15s', 'cr-northwind-native'],
      priority: 1,
    },
    {
      id: 'li-northwind-pmp-video',
      campaignId: 'cmp-northwind-pmp',
      name: 'Premium pre-roll deal',
      status: 'active',
      targeting: { all: [{ deal: ['deal-northwind-preroll'] }, { format: ['video'] }] },
      baseCpmMicros: usd(8),
      maxCpmMicros: usd(12),
      adjustments: [],
      frequencyCaps: [],
      creativeIds: ['cr-northwind-video-15s'],
      priority: 8,
    },
  ],
  creatives: [
    dynamicCart(banner('cr-acme-cart-300x250', 'adv-acme', 300, 250, 'Your tent is still in the cart', '#1b5e20', acmeCart)),
    banner('cr-acme-cart-728x90', 'adv-acme', 728, 90, 'Your tent is still in the cart', '#1b5e20', acmeCart),
    banner('cr-acme-cart-320x50', 'adv-acme', 320, 50, 'Finish your order', '#1b5e20', acmeCart),
    banner('cr-acme-cart-300x600', 'adv-acme', 300, 600, 'Your tent is still in the cart', '#1b5e20', acmeCart),
    banner('cr-acme-brand-300x250', 'adv-acme', 300, 250, 'Acme Outdoor: go further', '#2e7d32', acmeHome),
    banner('cr-acme-brand-728x90', 'adv-acme', 728, 90, 'Acme Outdoor: go further', '#2e7d32', acmeHome),
    banner('cr-acme-brand-160x600', 'adv-acme', 160, 600, 'Acme Outdoor', '#2e7d32', acmeHome),
    banner('cr-nimbus-300x250', 'adv-nimbus', 300, 250, 'Nimbus: shoes for the trail', '#283593', nimbus),
    banner('cr-nimbus-320x50', 'adv-nimbus', 320, 50, 'Nimbus trail shoes', '#283593', nimbus),
    banner('cr-northwind-300x250', 'adv-northwind', 300, 250, 'Northwind Coffee', '#4e342e', northwind),
    banner('cr-northwind-970x250', 'adv-northwind', 970, 250, 'Northwind Coffee', '#4e342e', northwind),
    {
      id: 'cr-northwind-video-15s',
      advertiserId: 'adv-northwind',
      format: 'video',
      vast:
        '<VAST version="3.0"><Ad id="cr-northwind-video-15s"><InLine><AdSystem>edgebid</AdSystem><AdTitle>Northwind Coffee</AdTitle>' +
        '<Impression>${IMPRESSION_URL}</Impression><Creatives><Creative><Linear><Duration>00:00:15</Duration>' +
        '<VideoClicks><ClickThrough>${CLICK_URL}</ClickThrough></VideoClicks><MediaFiles>' +
        '<MediaFile delivery="progressive" type="video/mp4" width="1280" height="720">https://cdn.northwind-coffee.example/ads/15s.mp4</MediaFile>' +
        '</MediaFiles></Linear></Creative></Creatives></InLine></Ad></VAST>',
      mimes: ['video/mp4'],
      durationSec: 15,
      protocols: [2, 3, 5, 6],
      w: 1280,
      h: 720,
      clickUrl: northwind,
      categories: [],
      attributes: [],
      weight: 1,
    },
    {
      id: 'cr-northwind-native',
      advertiserId: 'adv-northwind',
      format: 'native',
      title: 'Northwind Coffee: roasted this week',
      image: { url: 'https://cdn.northwind-coffee.example/ads/beans-1200x627.jpg', w: 1200, h: 627 },
      body: 'Single-origin beans, delivered fresh.',
      sponsored: 'Northwind Coffee',
      cta: 'Shop now',
      clickUrl: northwind,
      categories: [],
      attributes: [],
      weight: 1,
    },
    {
      id: 'cr-nimbus-native',
      advertiserId: 'adv-nimbus',
      format: 'native',
      title: 'Nimbus trail shoes',
      body: 'Grip for every trail.',
      sponsored: 'Nimbus Shoes',
      clickUrl: nimbus,
      categories: [],
      attributes: [],
      weight: 1,
    },
  ],
  lookalikeModels: [
    {
      id: 'lal-nimbus-buyers',
      advertiserId: 'adv-nimbus',
      intercept: -2,
      weights: [
        { segment: 'product_explorers', weight: 1.5 },
        { count: 'product_view', windowDays: 7, weight: 0.6 },
        { recency: 'add_to_cart', halfLifeDays: 3, weight: 1.2 },
      ],
    },
  ],
};
