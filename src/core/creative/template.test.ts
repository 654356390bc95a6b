import { describe, expect, it } from 'vitest';
import { compileTemplate, type TemplateKind } from './template';

function problems(source: string, kind: TemplateKind = 'html'): string[] {
  return compileTemplate(source, kind, true).problems.map((p) => p.message);
}

function contexts(source: string, kind: TemplateKind): string[] {
  return compileTemplate(source, kind, true)
    .segments.flatMap((s) => (s.kind === 'literal' ? [] : [`${s.name}:${s.context}`]));
}

describe('compileTemplate: grammar', () => {
  it('splits literals, placeholders (with the url filter) and our macros, keeping exchange macros as text', () => {
    const t = compileTemplate('<a href="${CLICK_URL}">Hi {{ cart_product_name }}</a><img src="x?p={{cart_product_id|url}}&a=${AUCTION_PRICE}">', 'html', true);
    expect(t.problems).toEqual([]);
    expect(t.segments).toEqual([
      { kind: 'literal', text: '<a href="' },
      { kind: 'macro', name: 'CLICK_URL', context: 'html' },
      { kind: 'literal', text: '">Hi ' },
      { kind: 'placeholder', name: 'cart_product_name', url: false, context: 'html' },
      { kind: 'literal', text: '</a><img src="x?p=' },
      { kind: 'placeholder', name: 'cart_product_id', url: true, context: 'html' },
      { kind: 'literal', text: '&a=${AUCTION_PRICE}">' },
    ]);
    expect([...t.placeholders].sort()).toEqual(['cart_product_id', 'cart_product_name']);
  });

  it('reports unknown placeholders, unknown filters and unclosed openings, with offsets', () => {
    const t = compileTemplate('{{cart_prodct_id}} {{top_category|html}} {{discount} {{{top_category}}}', 'html', true);
    expect(t.problems.map((p) => [p.offset, p.message.split(' (')[0]])).toEqual([
      [0, 'unknown placeholder'],
      [19, 'unknown placeholder filter'],
      [41, 'unclosed placeholder'],
      [53, 'unclosed placeholder'],
    ]);
  });

  it('treats braces as text when placeholders are off (static creatives, fallbacks)', () => {
    const t = compileTemplate('<p>{{cart_product_id}} {{nope</p><a href="${CLICK_URL}">', 'html', false);
    expect(t.problems).toEqual([]);
    expect(t.placeholders.size).toBe(0);
    expect(t.segments.map((s) => s.kind)).toEqual(['literal', 'macro', 'literal']);
  });

  it('has no macros in plain text templates (native text)', () => {
    const t = compileTemplate('Back: {{cart_product_name}} ${CLICK_URL}', 'text', true);
    expect(t.segments).toEqual([
      { kind: 'literal', text: 'Back: ' },
      { kind: 'placeholder', name: 'cart_product_name', url: false, context: 'text' },
      { kind: 'literal', text: ' ${CLICK_URL}' },
    ]);
  });
});

describe('compileTemplate: HTML positions', () => {
  it('allows text, quoted attributes, textarea/title bodies and URL attributes with |url', () => {
    expect(problems('<p class="x {{top_category}}" title=\'{{cart_product_name}}\'>{{cart_product_name}}</p>')).toEqual([]);
    expect(problems('<title>{{top_category}}</title><textarea>{{top_category}}</textarea>')).toEqual([]);
    expect(problems('<a href="https://shop.example/p/{{cart_product_id|url}}">go</a>')).toEqual([]);
    expect(problems('<script src="a.js"></script><p>{{top_category}}</p>')).toEqual([]);
  });

  it('refuses positions no escaping makes safe', () => {
    expect(problems('<a href="{{cart_product_id}}">')).toEqual(['placeholder in a URL attribute needs the |url filter']);
    expect(problems('<IMG SRC="/x/{{cart_product_id}}">')).toEqual(['placeholder in a URL attribute needs the |url filter']);
    expect(problems('<div onclick="go(\'{{cart_product_id|url}}\')">')).toEqual(['placeholder is not allowed in an event handler attribute']);
    expect(problems('<div style="color:{{top_category}}">')).toEqual(['placeholder is not allowed in a style attribute']);
    expect(problems('<iframe srcdoc="{{top_category}}">')).toEqual(['placeholder is not allowed in a srcdoc attribute']);
    expect(problems('<div title={{top_category}}>')).toEqual(['placeholder must be inside a quoted attribute value']);
    expect(problems('<div {{top_category}}>')).toEqual(['placeholder must be in text or a quoted attribute value, not inside a tag']);
    expect(problems('<script>var p = "{{cart_product_name}}";</script>')).toEqual(['placeholder is not allowed inside <script>']);
    expect(problems('<style>.a{}</style><style>p:after{content:"{{top_category}}"}</style>')).toEqual(['placeholder is not allowed inside <style>']);
    expect(problems('<!-- {{top_category}} -->')).toEqual(['placeholder is not allowed inside a comment']);
  });

  it('tracks quotes: a > inside a quoted value does not end the tag', () => {
    expect(problems('<a title="a > b" href="{{cart_product_id}}">')).toEqual(['placeholder in a URL attribute needs the |url filter']);
    expect(problems('<a data-x="1" title="{{top_category}}" disabled>{{top_category}}</a>')).toEqual([]);
  });
});

describe('compileTemplate: VAST positions', () => {
  const vast = (inner: string): string => `<VAST version="4.0"><Ad><InLine>${inner}</InLine></Ad></VAST>`;

  it('uses xml for element text and attributes, cdata inside CDATA sections', () => {
    const src = vast(
      '<AdTitle>{{cart_product_name}}</AdTitle><Impression><![CDATA[${IMPRESSION_URL}]]></Impression>' +
        '<Description><![CDATA[Still {{cart_product_name}}?]]></Description><Extension type="{{top_category}}"/>',
    );
    expect(contexts(src, 'vast')).toEqual(['cart_product_name:xml', 'IMPRESSION_URL:cdata', 'cart_product_name:cdata', 'top_category:xml']);
    expect(problems(src, 'vast')).toEqual([]);
  });

  it('requires |url in URL elements and refuses HTMLResource, comments and tag positions', () => {
    expect(problems(vast('<ClickThrough><![CDATA[https://s.example/{{cart_product_id}}]]></ClickThrough>'), 'vast')).toEqual([
      'placeholder in <ClickThrough> needs the |url filter',
    ]);
    expect(problems(vast('<ClickThrough><![CDATA[https://s.example/{{cart_product_id|url}}]]></ClickThrough>'), 'vast')).toEqual([]);
    expect(problems(vast('<HTMLResource><![CDATA[<b>{{top_category}}</b>]]></HTMLResource>'), 'vast')).toEqual([
      'placeholder is not allowed inside <HTMLResource> (HTML inside XML)',
    ]);
    expect(problems(vast('<!-- {{top_category}} -->'), 'vast')).toEqual(['placeholder is not allowed inside a comment']);
    expect(problems(vast('<AdTitle {{top_category}}>x</AdTitle>'), 'vast')).toEqual([
      'placeholder must be in element text, CDATA or a quoted attribute value, not inside a tag',
    ]);
  });

  it('pops closed elements: text after </ClickThrough> is plain text again', () => {
    expect(problems(vast('<Linear><VideoClicks><ClickThrough>x</ClickThrough></VideoClicks><AdParameters>{{top_category}}</AdParameters></Linear>'), 'vast')).toEqual([]);
  });
});
