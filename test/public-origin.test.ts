/** Tracking links point at the origin a bid came in on: derived without parsing, so checked against URL. */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { publicOrigin } from '../src/http/tracking-urls';

describe('publicOrigin', () => {
  const derived = { ...env, PUBLIC_BASE_URL: '' };

  it('matches new URL(url).origin for the URLs the runtime hands a worker', () => {
    const urls = [
      'http://127.0.0.1:8787/openrtb2/bid',
      'https://bid.example/openrtb2/bid?timing=1',
      'https://bid.example:8443/openrtb2/bid',
      'http://[::1]:8787/openrtb2/bid',
      'https://xn--bcher-kva.example/openrtb2/bid#x',
      'http://user:secret@bid.example/openrtb2/bid',
    ];
    for (const raw of urls) {
      // The runtime gives handlers a serialised URL; so does Request here.
      const url = new Request(raw).url;
      expect(publicOrigin(derived, url), url).toBe(new URL(url).origin);
    }
  });

  it('uses the configured base, without a trailing slash', () => {
    expect(publicOrigin({ ...env, PUBLIC_BASE_URL: 'https://ads.example.com//' }, 'http://127.0.0.1/openrtb2/bid')).toBe('https://ads.example.com');
  });
});
