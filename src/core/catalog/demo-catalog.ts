/**
 * The demo catalog `npm start` publishes when the local catalog is empty: three advertisers,
 * retargeting, prospecting and cross-sell line items, creatives in the common IAB banner sizes.
 * Segment names in targeting and multipliers mean the segment of the line item's own advertiser.
 * Markup is self-contained HTML (no external images), so it renders offline.
 */
import type { CatalogDocument, Creative } from '../model';

const usd = (dollars: number): number => Math.round(dollars * 1_000_000);

function banner(id: string, advertiserId: string, w: number, h: number, text: string, colour: string, landing: string): Creative {
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
    weight: 1,
  };
}

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
    { id: 'cmp-acme-retargeting', advertiserId: 'adv-acme', name: 'Acme cart recovery', suppressConvertedWithinSec: 30 * 86_400 },
    { id: 'cmp-acme-prospecting', advertiserId: 'adv-acme', name: 'Acme awareness', suppressConvertedWithinSec: 0 },
    { id: 'cmp-nimbus-cross-sell', advertiserId: 'adv-nimbus', name: 'Nimbus: more for product explorers', suppressConvertedWithinSec: 14 * 86_400 },
    { id: 'cmp-northwind-prospecting', advertiserId: 'adv-northwind', name: 'Northwind awareness', suppressConvertedWithinSec: 0 },
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
      multipliers: [{ segment: 'cart_abandoners', multiplier: 1.6 }],
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
      multipliers: [{ segment: 'cart_abandoners', multiplier: 1.2 }],
      creativeIds: ['cr-nimbus-300x250', 'cr-nimbus-320x50'],
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
      multipliers: [{ segment: 'product_explorers', multiplier: 1.25 }],
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
      multipliers: [],
      creativeIds: ['cr-northwind-300x250', 'cr-northwind-970x250'],
      priority: 1,
    },
  ],
  creatives: [
    banner('cr-acme-cart-300x250', 'adv-acme', 300, 250, 'Your tent is still in the cart', '#1b5e20', acmeCart),
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
  ],
};
