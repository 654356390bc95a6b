import { describe, expect, it } from 'vitest';
import { cleanValue, encodeOwnUrl, encodeValue, escapeCdata, escapeMarkup, MAX_VALUE_LENGTH } from './escape';

describe('escaping by context', () => {
  it('escapes the five markup characters', () => {
    expect(escapeMarkup(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('splits ]]> across CDATA sections', () => {
    expect(escapeCdata('a]]>b')).toBe('a]]]]><![CDATA[>b');
  });

  it('neutralises $ so a profile value cannot form an exchange macro', () => {
    expect(encodeValue('${AUCTION_PRICE}', 'html', false)).toBe('&#36;{AUCTION_PRICE}');
    expect(encodeValue('${AUCTION_PRICE}', 'xml', false)).toBe('&#36;{AUCTION_PRICE}');
    expect(encodeValue('${AUCTION_PRICE}', 'cdata', false)).toBe('$]]><![CDATA[{AUCTION_PRICE}');
    expect(encodeValue('${AUCTION_PRICE}', 'html', true)).toBe('%24%7BAUCTION_PRICE%7D');
    // Plain text is escaped by JSON serialisation later (native-markup.ts).
    expect(encodeValue('${AUCTION_PRICE}', 'text', false)).toBe('${AUCTION_PRICE}');
  });

  it('URL-encodes first, then escapes for the context (a single quote survives encodeURIComponent)', () => {
    expect(encodeValue(`it's a/b?c=d&e`, 'html', true)).toBe('it&#39;s%20a%2Fb%3Fc%3Dd%26e');
    expect(encodeValue('javascript:alert(1)', 'html', true)).toBe('javascript%3Aalert(1)');
    expect(encodeValue(']]>', 'cdata', true)).toBe('%5D%5D%3E');
  });

  it('writes our own URLs escaped for markup, raw inside CDATA', () => {
    const url = 'https://edge.example/v1/t/abc?x=1&y="2"';
    expect(encodeOwnUrl(url, 'html')).toBe('https://edge.example/v1/t/abc?x=1&amp;y=&quot;2&quot;');
    expect(encodeOwnUrl(url, 'cdata')).toBe(url);
  });
});

describe('cleanValue', () => {
  it('drops control characters, repairs lone surrogates and trims', () => {
    expect(cleanValue('  Tent\u0000 2p\u001b\n ')).toBe('Tent 2p');
    expect(cleanValue('a\uD800b\uDC00c')).toBe('a\uFFFDb\uFFFDc');
    expect(cleanValue('🏕 ok')).toBe('🏕 ok');
    // Repaired values are safe for the url filter, which would throw on a lone surrogate.
    expect(() => encodeURIComponent(cleanValue('x\uD800') ?? '')).not.toThrow();
  });

  it('treats empty, blank and overlong values as missing', () => {
    expect(cleanValue(undefined)).toBeUndefined();
    expect(cleanValue('')).toBeUndefined();
    expect(cleanValue(' \t ')).toBeUndefined();
    expect(cleanValue('x'.repeat(MAX_VALUE_LENGTH))).toHaveLength(MAX_VALUE_LENGTH);
    expect(cleanValue('x'.repeat(MAX_VALUE_LENGTH + 1))).toBeUndefined();
  });
});
