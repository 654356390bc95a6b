import { describe, expect, it } from 'vitest';
import { mediaSpecs } from './media-spec';
import { parseBidRequest } from './request-schema';

/** Validates a one-imp request the way the edge does, and maps its imp. */
function specsOf(imp: Record<string, unknown>): ReturnType<typeof mediaSpecs> {
  const parsed = parseBidRequest({ id: 'r', imp: [{ id: '1', ...imp }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const first = parsed.value.imp[0];
  if (!first) throw new Error('no imp');
  return mediaSpecs(first);
}

const nativeReq = (payload: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  native: { request: typeof payload === 'string' ? payload : JSON.stringify(payload), ...extra },
});

describe('banner', () => {
  it('takes sizes from format[] before w/h, positive only, with battr', () => {
    expect(specsOf({ banner: { w: 728, h: 90, format: [{ w: 300, h: 250 }, { w: 0, h: 50 }, { wratio: 2, hratio: 1 }], battr: [1, 6] } })).toEqual({
      banner: { sizes: [{ w: 300, h: 250 }], blockedAttributes: [1, 6] },
    });
    expect(specsOf({ banner: { w: 728, h: 90, format: [{ wratio: 2, hratio: 1 }] } })).toEqual({
      banner: { sizes: [{ w: 728, h: 90 }], blockedAttributes: [] },
    });
  });

  it('leaves out a banner without any usable size', () => {
    expect(specsOf({ banner: { w: 0, h: 0 } })).toEqual({});
    expect(specsOf({ banner: {} })).toEqual({});
  });
});

describe('video', () => {
  it('maps mimes (lower case), durations, protocols with the deprecated protocol, size and battr', () => {
    expect(
      specsOf({
        video: { mimes: ['Video/MP4'], minduration: 5, maxduration: 30, protocols: [2, 3], protocol: 7, w: 640, h: 0, battr: [16] },
      }),
    ).toEqual({
      video: { mimes: ['video/mp4'], minDurationSec: 5, maxDurationSec: 30, protocols: [2, 3, 7], w: 640, blockedAttributes: [16] },
    });
  });

  it('reads 0 durations as no limit, rqddurs as the exact durations, and a lone protocol as a list', () => {
    expect(specsOf({ video: { mimes: ['video/mp4'], minduration: 0, maxduration: 0, rqddurs: [6, 15], protocol: 3 } })).toEqual({
      video: { mimes: ['video/mp4'], requiredDurationsSec: [6, 15], protocols: [3], blockedAttributes: [] },
    });
  });
});

describe('native', () => {
  const assets = [
    { id: 10, required: 1, title: { len: 90 } },
    { id: 11, required: 1, img: { type: 3, wmin: 600, hmin: 300 } },
    { id: 12, img: { type: 1, w: 50, h: 50 } },
    { id: 13, data: { type: 2, len: 140 } },
    { id: 14, video: { mimes: ['video/mp4'], minduration: 5, maxduration: 30, protocols: [2] } },
  ];

  it('maps assets with the request ids, and battr', () => {
    expect(specsOf(nativeReq({ ver: '1.2', assets }, { battr: [3] }))).toEqual({
      native: {
        assets: [
          { id: 10, required: true, kind: 'title', len: 90 },
          { id: 11, required: true, kind: 'image', type: 3, wmin: 600, hmin: 300 },
          { id: 12, required: false, kind: 'image', type: 1, w: 50, h: 50 },
          { id: 13, required: false, kind: 'data', type: 2, len: 140 },
          { id: 14, required: false, kind: 'video' },
        ],
        blockedAttributes: [3],
        response: { ver: '1.2', wrapped: false, impressionImageTracker: false },
      },
    });
  });

  it('numbers assets by position when the request omits every id', () => {
    const spec = specsOf(nativeReq({ ver: '1.2', assets: [{ title: { len: 25 } }, { data: { type: 1 } }] })).native;
    expect(spec?.assets.map((a) => a.id)).toEqual([0, 1]);
  });

  it('reads the Native 1.0 wrapper and answers in kind', () => {
    const spec = specsOf(nativeReq({ native: { assets: [{ id: 1, title: { len: 25 } }] } })).native;
    expect(spec?.assets).toEqual([{ id: 1, required: false, kind: 'title', len: 25 }]);
    expect(spec?.response).toEqual({ ver: '1.0', wrapped: true, impressionImageTracker: false });
  });

  it('takes the version from the payload, else imp.native.ver, ignoring nonsense', () => {
    expect(specsOf(nativeReq({ ver: '1.1', assets }, { ver: '1.2' })).native?.response?.ver).toBe('1.1');
    expect(specsOf(nativeReq({ assets }, { ver: '1.2' })).native?.response?.ver).toBe('1.2');
    expect(specsOf(nativeReq({ ver: '<b>', assets })).native?.response?.ver).toBe('1.2');
  });

  it('detects declared impression image tracking (event 1, method 1)', () => {
    const declared = (eventtrackers: unknown[]): boolean | undefined =>
      specsOf(nativeReq({ ver: '1.2', assets, eventtrackers })).native?.response?.impressionImageTracker;
    expect(declared([{ event: 1, methods: [1, 2] }])).toBe(true);
    expect(declared([{ event: 1, methods: [2] }, { event: 2, methods: [1] }])).toBe(false);
  });

  it('reads legacy inline payloads (re-serialised by validation), taking the first fillable type of a mixed asset', () => {
    const spec = specsOf({ native: { request: { ver: '1.2', assets: [{ id: 5, required: 1, title: { len: 30 }, img: { type: 3 } }, { id: 6, img: {} }] } } }).native;
    expect(spec?.assets).toEqual([
      { id: 5, required: true, kind: 'title', len: 30 },
      // An untyped image is asked for as the main image.
      { id: 6, required: false, kind: 'image', type: 3 },
    ]);
  });

  it('gives no native spec for an opaque or asset-less payload (accepted by validation, but nothing to fill)', () => {
    expect(specsOf(nativeReq('see exchange docs'))).toEqual({});
    expect(specsOf(nativeReq({ ver: '1', layout: 2, adunit: 4 }))).toEqual({});
  });

  it('keeps every media of a multi-format imp', () => {
    const specs = specsOf({ banner: { w: 300, h: 250 }, video: { mimes: ['video/mp4'] }, ...nativeReq({ ver: '1.2', assets }) });
    expect(Object.keys(specs).sort()).toEqual(['banner', 'native', 'video']);
  });
});
