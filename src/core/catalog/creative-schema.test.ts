import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldIssues } from '../zod-issues';
import { creativeSchema } from './creative-schema';

type Json = Record<string, unknown>;

const common = { id: 'cr-1', advertiserId: 'adv-acme', clickUrl: 'https://acme.example/cart', categories: ['IAB17'], attributes: [], weight: 1 };
const banner: Json = { ...common, format: 'banner', w: 300, h: 250, markup: '<a href="${CLICK_URL}">Acme</a>' };
const video: Json = {
  ...common,
  format: 'video',
  vast: '<VAST version="3.0"/>',
  mimes: ['Video/MP4'],
  durationSec: 15,
  protocols: [2, 3],
  w: 640,
  h: 360,
};
const native: Json = {
  ...common,
  format: 'native',
  title: 'Light tents',
  image: { url: 'https://cdn.example/m.jpg', w: 1200, h: 627 },
  icon: { url: 'http://cdn.example/i.png', w: 80, h: 80 },
  body: 'For two.',
  sponsored: 'Acme',
  cta: 'Shop',
};

function issues(input: Json): string[] {
  const r = creativeSchema.safeParse(input);
  return r.success ? [] : fieldIssues(r.error).map((i) => `${i.path}: ${i.message}`);
}

/** As the catalog will nest it, so paths read `creatives[0].markup`. */
function nestedPaths(input: Json): string[] {
  const r = z.object({ creatives: z.array(creativeSchema) }).safeParse({ creatives: [input] });
  return r.success ? [] : fieldIssues(r.error).map((i) => i.path);
}

describe('creativeSchema: shapes', () => {
  it('accepts a banner, a video (MIME types stored lower case) and a native creative', () => {
    expect(creativeSchema.parse(banner)).toEqual(banner);
    expect(creativeSchema.parse(video)).toEqual({ ...video, mimes: ['video/mp4'] });
    expect(creativeSchema.parse(native)).toEqual(native);
  });

  it('defaults categories and attributes to none and weight to 1', () => {
    const bare: Json = { ...banner };
    delete bare.categories;
    delete bare.attributes;
    delete bare.weight;
    expect(creativeSchema.parse(bare)).toMatchObject({ categories: [], attributes: [], weight: 1 });
  });

  it('reports every problem with its path', () => {
    expect(
      issues({ ...banner, id: 'cr@1', advertiserId: '', clickUrl: 'javascript:alert(1)', attributes: [0, 18, 2.5], weight: 0, w: -1, markup: '' }),
    ).toEqual([
      'id: must not contain "@"',
      'advertiserId: must not be empty',
      'clickUrl: must be an http(s) URL',
      'attributes[0]: must be 1–17',
      'attributes[1]: must be 1–17',
      'attributes[2]: must be an integer',
      'weight: must be > 0',
      'w: must be > 0',
      'markup: must not be empty',
    ]);
    expect(issues({ ...banner, id: 'x'.repeat(129) })).toEqual(['id: must be at most 128 characters']);
  });

  it('checks video mimes, duration and protocols', () => {
    expect(issues({ ...video, mimes: [], durationSec: 0, protocols: [0, 15] })).toEqual([
      'mimes: must list at least one MIME type',
      'durationSec: must be > 0',
      'protocols[0]: must be 1–14',
      'protocols[1]: must be 1–14',
    ]);
    expect(issues({ ...video, protocols: [] })).toEqual(['protocols: must list at least one protocol']);
  });

  it('checks native title and image URLs', () => {
    expect(issues({ ...native, title: '', image: { url: 'ftp://cdn.example/m.jpg', w: 0, h: 1 } })).toEqual([
      'title: must not be empty',
      'image.url: must be an http(s) URL',
      'image.w: must be > 0',
    ]);
  });

  it('names the known formats for an unknown one', () => {
    expect(issues({ ...banner, format: 'audio' })).toEqual(["format: Invalid discriminator value. Expected 'banner' | 'video' | 'native'"]);
  });

  it('reports paths under the catalog when nested', () => {
    expect(nestedPaths({ ...banner, weight: -1 })).toEqual(['creatives[0].weight']);
  });
});

describe('creativeSchema: dynamic templates', () => {
  const dynBanner: Json = {
    ...banner,
    markup: '<a href="${CLICK_URL}" title="{{cart_product_name}}">{{cart_product_name}} {{discount}}</a>',
    dynamic: { discountText: '10% off', fallback: { markup: '<a href="${CLICK_URL}">Acme</a>' } },
  };

  it('accepts a dynamic banner, video and native creative with their fallbacks', () => {
    expect(issues(dynBanner)).toEqual([]);
    expect(
      issues({
        ...video,
        vast: '<VAST><Ad><InLine><AdTitle>{{top_category}}</AdTitle><ClickThrough><![CDATA[https://a.example/{{cart_product_id|url}}]]></ClickThrough></InLine></Ad></VAST>',
        dynamic: { fallback: { vast: '<VAST/>' } },
      }),
    ).toEqual([]);
    expect(issues({ ...native, title: 'Back to {{cart_product_name}}', dynamic: { fallback: { title: 'Acme' } } })).toEqual([]);
  });

  it('reports unknown placeholders and filters at the field, with the position', () => {
    expect(issues({ ...dynBanner, markup: '<p>{{cart_product}} {{top_category|upper}}</p>' })).toEqual([
      'markup: unknown placeholder (known: {{cart_product_id}}, {{cart_product_name}}, {{top_category}}, {{discount}}) (at character 3)',
      'markup: unknown placeholder filter (known: |url) (at character 20)',
    ]);
  });

  it('reports placeholders where escaping cannot make profile data safe', () => {
    expect(issues({ ...dynBanner, markup: '<a href="{{cart_product_id}}">x</a><script>"{{top_category}}"</script>' })).toEqual([
      'markup: placeholder in a URL attribute needs the |url filter (at character 9)',
      'markup: placeholder is not allowed inside <script> (at character 44)',
    ]);
  });

  it('requires the fallback of every templated field, and {{discount}} requires discountText', () => {
    expect(issues({ ...dynBanner, dynamic: { fallback: {} } })).toEqual([
      'dynamic.fallback.markup: is required: markup has placeholders',
      'dynamic.discountText: is required: a template uses {{discount}}',
    ]);
    expect(issues({ ...native, title: '{{top_category}}', body: '{{cart_product_name}}', dynamic: { fallback: { title: 'Acme' } } })).toEqual([
      'dynamic.fallback.body: is required: body has placeholders',
    ]);
    expect(issues({ ...dynBanner, dynamic: { discountText: 'x' } })).toEqual(['dynamic.fallback: Invalid input: expected object, received undefined']);
  });

  it('refuses placeholders in fallbacks, fallbacks the format does not use, and dynamic specs with nothing to fill', () => {
    expect(issues({ ...dynBanner, dynamic: { discountText: 'x', fallback: { markup: '<p>{{top_category}}</p>', vast: '<VAST/>' } } })).toEqual([
      'dynamic.fallback.markup: is shown when the profile lacks data: it must not have placeholders',
      'dynamic.fallback.vast: is not used by banner creatives',
    ]);
    expect(issues({ ...banner, dynamic: { fallback: { markup: '<p>x</p>' } } })).toEqual([
      'dynamic: no field has placeholders: a static creative needs no dynamic spec',
    ]);
  });

  it('refuses known placeholders in a static creative, and in native fields that have no fallback', () => {
    expect(issues({ ...banner, markup: '<p>{{cart_product_name}}</p>' })).toEqual([
      'markup: placeholders are only filled in dynamic creatives: add `dynamic` with a fallback',
    ]);
    // Other braces in static markup are just text (e.g. a client-side template).
    expect(issues({ ...banner, markup: '<p>{{price}}</p>' })).toEqual([]);
    expect(issues({ ...native, cta: 'Get {{discount}}', title: '{{top_category}}', dynamic: { discountText: 'x', fallback: { title: 'A' } } })).toEqual([
      'cta: placeholders are only filled in title and body',
    ]);
  });

  it('still checks templates when other fields are invalid (all problems at once)', () => {
    expect(issues({ ...dynBanner, weight: 'heavy', markup: '<p>{{nope}}</p>' })).toEqual([
      'weight: Invalid input: expected number, received string',
      expect.stringMatching(/^markup: unknown placeholder/) as unknown as string,
    ]);
  });
});
