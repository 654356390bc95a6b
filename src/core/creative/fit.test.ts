import { describe, expect, it } from 'vitest';
import type { BannerCreative, NativeCreative, VideoCreative } from '../model';
import type { NativeAssetSpec, Slot } from '../engine/request-context';
import { codePoints, creativeFits } from './fit';

const common = { advertiserId: 'adv-acme', clickUrl: 'https://acme.example/', categories: [], attributes: [], weight: 1 };

const banner: BannerCreative = { ...common, id: 'b', format: 'banner', w: 300, h: 250, markup: '<p>x</p>' };
const video: VideoCreative = {
  ...common,
  id: 'v',
  format: 'video',
  vast: '<VAST version="3.0"/>',
  mimes: ['video/mp4', 'video/webm'],
  durationSec: 15,
  protocols: [2, 3],
  w: 640,
  h: 360,
};
const native: NativeCreative = {
  ...common,
  id: 'n',
  format: 'native',
  title: 'Lightweight tents',
  image: { url: 'https://cdn.example/main.jpg', w: 1200, h: 627 },
  icon: { url: 'https://cdn.example/icon.png', w: 80, h: 80 },
  body: 'Two people, 1.2 kg.',
  sponsored: 'Acme',
};

const slot = (media: Pick<Slot, 'banner' | 'video' | 'native'>): Slot => ({
  id: '1',
  floorMicros: 0,
  deals: [],
  privateAuction: false,
  keyValues: {},
  ...media,
});

describe('banner', () => {
  it('fits when its size is among the slot sizes', () => {
    expect(creativeFits(banner, slot({ banner: { sizes: [{ w: 728, h: 90 }, { w: 300, h: 250 }], blockedAttributes: [] } }))).toBe('banner');
    expect(creativeFits(banner, slot({ banner: { sizes: [{ w: 250, h: 300 }], blockedAttributes: [] } }))).toBeNull();
    expect(creativeFits(banner, slot({ video: { mimes: ['video/mp4'], protocols: [], blockedAttributes: [] } }))).toBeNull();
  });

  it('does not fit when one of its attributes is blocked (battr)', () => {
    const animated = { ...banner, attributes: [1, 6] };
    expect(creativeFits(animated, slot({ banner: { sizes: [{ w: 300, h: 250 }], blockedAttributes: [6] } }))).toBeNull();
    expect(creativeFits(animated, slot({ banner: { sizes: [{ w: 300, h: 250 }], blockedAttributes: [2, 3] } }))).toBe('banner');
  });
});

describe('video', () => {
  const spec = { mimes: ['video/mp4'], protocols: [], blockedAttributes: [] };

  it('needs a common MIME type, and players scale so w/h do not matter', () => {
    expect(creativeFits(video, slot({ video: { ...spec, w: 1920, h: 1080 } }))).toBe('video');
    expect(creativeFits(video, slot({ video: { ...spec, mimes: ['application/javascript'] } }))).toBeNull();
  });

  it('respects min/max duration and rqddurs', () => {
    expect(creativeFits(video, slot({ video: { ...spec, minDurationSec: 15, maxDurationSec: 15 } }))).toBe('video');
    expect(creativeFits(video, slot({ video: { ...spec, minDurationSec: 16 } }))).toBeNull();
    expect(creativeFits(video, slot({ video: { ...spec, maxDurationSec: 10 } }))).toBeNull();
    expect(creativeFits(video, slot({ video: { ...spec, requiredDurationsSec: [6, 15] } }))).toBe('video');
    expect(creativeFits(video, slot({ video: { ...spec, requiredDurationsSec: [6, 30] } }))).toBeNull();
  });

  it('needs a common protocol only when the request lists any', () => {
    expect(creativeFits(video, slot({ video: { ...spec, protocols: [3, 7] } }))).toBe('video');
    expect(creativeFits(video, slot({ video: { ...spec, protocols: [7, 8] } }))).toBeNull();
  });

  it('does not fit when an attribute is blocked', () => {
    expect(creativeFits({ ...video, attributes: [16] }, slot({ video: { ...spec, blockedAttributes: [16] } }))).toBeNull();
  });
});

describe('native', () => {
  const nat = (assets: NativeAssetSpec[], blockedAttributes: number[] = []): Slot => slot({ native: { assets, blockedAttributes } });
  const title = (len: number, required = true): NativeAssetSpec => ({ id: 1, required, kind: 'title', len });

  it('fits when every required asset can be filled', () => {
    const assets: NativeAssetSpec[] = [
      title(25),
      { id: 2, required: true, kind: 'image', type: 3, wmin: 600, hmin: 300 },
      { id: 3, required: true, kind: 'image', type: 1, w: 80, h: 80 },
      { id: 4, required: true, kind: 'data', type: 1, len: 10 },
      { id: 5, required: true, kind: 'data', type: 2 },
      { id: 6, required: false, kind: 'video' },
      { id: 7, required: false, kind: 'data', type: 12 },
    ];
    expect(creativeFits(native, nat(assets))).toBe('native');
  });

  it('checks title length in characters', () => {
    expect(creativeFits(native, nat([title(17)]))).toBe('native');
    expect(creativeFits(native, nat([title(16)]))).toBeNull();
    expect(creativeFits({ ...native, title: '⛺⛺🏕' }, nat([title(3)]))).toBe('native');
    expect(codePoints('a🏕b')).toBe(3);
    expect(codePoints('a\uD800')).toBe(2);
  });

  it('needs exact image sizes without a minimum, and at least the minimum otherwise', () => {
    const img = (spec: Partial<Extract<NativeAssetSpec, { kind: 'image' }>>): Slot =>
      nat([{ id: 2, required: true, kind: 'image', type: 3, ...spec }]);
    expect(creativeFits(native, img({ w: 1200, h: 627 }))).toBe('native');
    expect(creativeFits(native, img({ w: 1200, h: 628 }))).toBeNull();
    expect(creativeFits(native, img({ w: 600, h: 314, wmin: 600, hmin: 314 }))).toBe('native');
    expect(creativeFits(native, img({ wmin: 1300 }))).toBeNull();
    expect(creativeFits(native, img({}))).toBe('native');
    expect(creativeFits({ ...native, image: undefined }, img({}))).toBeNull();
    // Image type 2 (logo, removed in 1.2) and other types cannot be filled.
    expect(creativeFits(native, img({ type: 2 }))).toBeNull();
  });

  it('cannot fill required data types it has no text for, nor required video assets', () => {
    expect(creativeFits(native, nat([title(90), { id: 2, required: true, kind: 'data', type: 12 }]))).toBeNull();
    expect(creativeFits(native, nat([title(90), { id: 2, required: true, kind: 'data', type: 3 }]))).toBeNull();
    expect(creativeFits(native, nat([title(90), { id: 2, required: true, kind: 'data', type: 2, len: 5 }]))).toBeNull();
    expect(creativeFits(native, nat([title(90), { id: 2, required: true, kind: 'video' }]))).toBeNull();
  });

  it('needs at least one asset it can fill', () => {
    expect(creativeFits(native, nat([{ id: 1, required: false, kind: 'video' }]))).toBeNull();
  });

  it('does not fit when an attribute is blocked', () => {
    expect(creativeFits({ ...native, attributes: [9] }, nat([title(90)], [9]))).toBeNull();
  });

  it('checks a templated title through its fallback, the text that can always be shown', () => {
    const dyn: NativeCreative = { ...native, title: 'Back to {{cart_product_name}}', dynamic: { fallback: { title: 'Acme tents for two' } } };
    expect(creativeFits(dyn, nat([title(18)]))).toBe('native');
    expect(creativeFits(dyn, nat([title(17)]))).toBeNull();
  });
});

describe('dynamic creatives', () => {
  it('are never chosen when a templated field has no fallback (they could not always render)', () => {
    const broken: BannerCreative = { ...banner, markup: '<p>{{cart_product_name}}</p>', dynamic: { fallback: {} } };
    const fine: BannerCreative = { ...broken, dynamic: { fallback: { markup: '<p>Acme</p>' } } };
    const s = slot({ banner: { sizes: [{ w: 300, h: 250 }], blockedAttributes: [] } });
    expect(creativeFits(broken, s)).toBeNull();
    expect(creativeFits(fine, s)).toBe('banner');
  });
});
