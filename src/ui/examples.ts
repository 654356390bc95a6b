/**
 * The decision tester's "Load example" requests: the README's demo requests (a 300x250 banner
 * for an unknown user on news.example, and two placements for the seeded cart abandoner), so
 * they decide against the demo catalog as the README says.
 */

export const UI_EXAMPLES = {
  openrtb: {
    id: 'ui-example-1',
    imp: [{ id: '1', banner: { w: 300, h: 250, format: [{ w: 300, h: 250 }] }, bidfloor: 0.5, bidfloorcur: 'USD', tagid: 'homepage-mrec' }],
    site: { id: 'site-42', domain: 'news.example', page: 'https://news.example/outdoors/best-tents', cat: ['IAB17'], publisher: { id: 'pub-7' } },
    device: { ua: 'Mozilla/5.0', devicetype: 2, geo: { country: 'USA', region: 'CA' } },
    user: { id: 'demo-user-new' },
    tmax: 120,
    cur: ['USD'],
  },
  decision: {
    userKey: 'demo-cart-abandoner',
    placements: [
      { id: 'top-banner', sizes: ['728x90'] },
      { id: 'sidebar', sizes: [{ w: 300, h: 250 }, { w: 300, h: 600 }], floorCpm: 0.5 },
    ],
    site: { domain: 'news.example', page: 'https://news.example/outdoors' },
  },
} as const;
