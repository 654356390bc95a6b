/**
 * The principals every Workers-runtime test runs with (vitest.config.ts passes them as the
 * AUTH_PRINCIPALS and ADMIN_TOKEN bindings) and the tokens the helpers send by default.
 */
export const TEST_TOKENS = {
  /** `test-exchange`: bids, header only. */
  exchange: 'test-exchange-token-0123456789',
  /** `test-url-exchange`: bids, and allowed to send its token as `?auth=`. */
  urlExchange: 'test-url-exchange-token-0123456789',
  /** `test-publisher`: decisions and events for any site (the suite's default publisher). */
  publisher: 'test-publisher-key-0123456789',
  /** `test-news-publisher`: only news.example and its placements top-banner and sidebar. */
  newsPublisher: 'test-news-publisher-key-0123456789',
  /** `test-limited-publisher`: only the rate-limit tests use it, so its counter is theirs. */
  limitedPublisher: 'test-limited-publisher-key-0123456789',
  /** `test-acme-advertiser`: reports on the demo catalog's adv-acme campaigns only. */
  acmeAdvertiser: 'test-acme-advertiser-token-0123456789',
  admin: 'test-admin-token-0123456789',
} as const;

/** Publishers for the per-IP rate-limit tests: one request each, so only the IP counter fills. */
export const TEST_IP_PROBE_TOKENS = [0, 1, 2, 3, 4, 5].map((i) => `test-ip-probe-${i}-key-0123456789`);

export const TEST_PRINCIPALS = {
  exchanges: [
    { id: 'test-exchange', tokens: [TEST_TOKENS.exchange] },
    { id: 'test-url-exchange', tokens: [TEST_TOKENS.urlExchange], allowUrlToken: true },
  ],
  publishers: [
    { id: 'test-publisher', tokens: [TEST_TOKENS.publisher], sites: ['*'] },
    { id: 'test-news-publisher', tokens: [TEST_TOKENS.newsPublisher], sites: ['news.example'], placements: ['top-banner', 'sidebar'] },
    { id: 'test-limited-publisher', tokens: [TEST_TOKENS.limitedPublisher], sites: ['*'] },
    ...TEST_IP_PROBE_TOKENS.map((token, i) => ({ id: `test-ip-probe-${i}`, tokens: [token], sites: ['*'] })),
  ],
  advertisers: [{ id: 'test-acme-advertiser', tokens: [TEST_TOKENS.acmeAdvertiser], advertiserIds: ['adv-acme'] }],
};
