import { describe, expect, it } from 'vitest';
import type { BannerCreative, NativeCreative, ProfileSnapshot } from '../model';
import { creativeTemplates, dynamicFill, dynamicInputs, fillTemplate, renderField } from './dynamic';
import { compileTemplate } from './template';

const urls = { clickUrl: 'https://edge.example/c?t=1&u=2', impressionUrl: 'https://edge.example/i' };

function banner(markup: string, dynamic?: BannerCreative['dynamic']): BannerCreative {
  return {
    id: 'cr-1',
    advertiserId: 'adv-acme',
    clickUrl: 'https://acme.example/cart',
    categories: [],
    attributes: [],
    weight: 1,
    format: 'banner',
    w: 300,
    h: 250,
    markup,
    ...(dynamic ? { dynamic } : {}),
  };
}

const cartBanner = banner('<p>Still want the {{cart_product_name}}? {{discount}}</p><a href="${CLICK_URL}">go</a>', {
  discountText: '10% off today',
  fallback: { markup: '<p>Great gear</p><a href="${CLICK_URL}">go</a>' },
});

describe('dynamicFill', () => {
  it('is static for creatives without a dynamic spec, even with braces in the markup', () => {
    expect(dynamicFill(banner('<p>{{cart_product_name}}</p>'), { cartProductName: 'Tent' }, true)).toEqual({ mode: 'static' });
  });

  it('fills every placeholder from the profile, the discount only for deal seekers', () => {
    expect(dynamicFill(cartBanner, { cartProductName: ' Tent 2p ' }, true)).toEqual({
      mode: 'filled',
      values: { cart_product_name: 'Tent 2p', discount: '10% off today' },
    });
    expect(dynamicFill(cartBanner, { cartProductName: 'Tent 2p' }, false)).toEqual({ mode: 'fallback' });
  });

  it('falls back when the profile lacks a value, or has only an unusable one', () => {
    expect(dynamicFill(cartBanner, undefined, true)).toEqual({ mode: 'fallback' });
    expect(dynamicFill(cartBanner, { cartProductId: 'tent-2p' }, true)).toEqual({ mode: 'fallback' });
    expect(dynamicFill(cartBanner, { cartProductName: '\u0000 ' }, true)).toEqual({ mode: 'fallback' });
  });

  it('never fills a template with an unsafe placeholder', () => {
    const unsafe = banner('<a href="{{cart_product_name}}">x</a>', { fallback: { markup: '<p>static</p>' } });
    expect(creativeTemplates(unsafe).unsafe).toBe(true);
    expect(dynamicFill(unsafe, { cartProductName: 'Tent' }, false)).toEqual({ mode: 'fallback' });
  });

  it('fills native title and body together (all or nothing)', () => {
    const native: NativeCreative = {
      id: 'n',
      advertiserId: 'adv-acme',
      clickUrl: 'https://acme.example/',
      categories: [],
      attributes: [],
      weight: 1,
      format: 'native',
      title: 'Back to {{cart_product_name}}',
      body: 'More {{top_category}}',
      dynamic: { fallback: { title: 'Acme', body: 'Outdoor gear' } },
    };
    expect(dynamicFill(native, { cartProductName: 'Tent', topCategory: 'tents' }, false)).toEqual({
      mode: 'filled',
      values: { cart_product_name: 'Tent', top_category: 'tents' },
    });
    expect(dynamicFill(native, { cartProductName: 'Tent' }, false)).toEqual({ mode: 'fallback' });
    expect(renderField(native, 'title', { mode: 'fallback' }, undefined)).toBe('Acme');
  });
});

describe('renderField and fillTemplate', () => {
  it('renders the filled template, the fallback, or the static template', () => {
    const filled = dynamicFill(cartBanner, { cartProductName: 'Tent' }, true);
    expect(renderField(cartBanner, 'markup', filled, urls)).toBe(
      '<p>Still want the Tent? 10% off today</p><a href="https://edge.example/c?t=1&amp;u=2">go</a>',
    );
    expect(renderField(cartBanner, 'markup', { mode: 'fallback' }, urls)).toBe('<p>Great gear</p><a href="https://edge.example/c?t=1&amp;u=2">go</a>');
    // A static fill of a dynamic creative is a caller mix-up: the safe answer is the fallback.
    expect(renderField(cartBanner, 'markup', { mode: 'static' }, urls)).toBe('<p>Great gear</p><a href="https://edge.example/c?t=1&amp;u=2">go</a>');
    expect(renderField(cartBanner, 'vast', { mode: 'static' }, urls)).toBeUndefined();
  });

  it('returns undefined rather than a half-filled template', () => {
    const t = compileTemplate('<p>{{cart_product_name}} {{top_category}}</p>', 'html', true);
    expect(fillTemplate(t, { cart_product_name: 'Tent' }, urls)).toBeUndefined();
  });

  it('leaves our macros as written when no URLs are given', () => {
    const t = compileTemplate('<a href="${CLICK_URL}">', 'html', false);
    expect(fillTemplate(t, undefined, undefined)).toBe('<a href="${CLICK_URL}">');
  });
});

describe('dynamicInputs', () => {
  const profile: ProfileSnapshot = {
    version: 1,
    updatedAtMs: 0,
    segments: { 'deal_seekers@adv-acme': { sinceMs: 100, expiresAtMs: 200 } },
    conversions: {},
    dynamic: { 'adv-acme': { cartProductName: 'Tent' } },
  };

  it("reads the advertiser's dynamic data and a live deal_seekers membership", () => {
    expect(dynamicInputs(profile, 'adv-acme', 150)).toEqual({ data: { cartProductName: 'Tent' }, dealSeeker: true });
    expect(dynamicInputs(profile, 'adv-acme', 200).dealSeeker).toBe(false);
    expect(dynamicInputs(profile, 'adv-acme', 99).dealSeeker).toBe(false);
    expect(dynamicInputs(profile, 'adv-other', 150)).toEqual({ data: undefined, dealSeeker: false });
  });

  it('gives nothing without a profile or after an opt-out', () => {
    expect(dynamicInputs(undefined, 'adv-acme', 150)).toEqual({ data: undefined, dealSeeker: false });
    expect(dynamicInputs({ ...profile, optedOut: true }, 'adv-acme', 150)).toEqual({ data: undefined, dealSeeker: false });
  });
});
