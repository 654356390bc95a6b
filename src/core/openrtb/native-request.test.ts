import { describe, expect, it } from 'vitest';
import { nativeRequestIssues, parseNativeRequest } from './native-request';
import { parseBidRequest } from './request-schema';

/** All payloads are small Native requests written for these tests. */
type Json = Record<string, unknown>;

const title = { title: { len: 90 } };
const img = { img: { type: 3, wmin: 100, hmin: 100 } };
const video = { video: { mimes: ['video/mp4'], minduration: 5, maxduration: 30, protocols: [2, 3] } };
const data = { data: { type: 2, len: 140 } };

function strict(payload: Json): string[] {
  return nativeRequestIssues(JSON.stringify(payload)).map((i) => i.path.join('.'));
}

function legacy(payload: Json): string[] {
  return nativeRequestIssues(payload).map((i) => i.path.join('.'));
}

function withAssets(...assets: Json[]): Json {
  return { ver: '1.2', context: 1, plcmttype: 1, assets };
}

describe('nativeRequestIssues (string form, Prebid rules)', () => {
  it('accepts a complete Native 1.2 request', () => {
    const payload = {
      ...withAssets({ id: 1, required: 1, ...title }, { id: 2, ...img }, { id: 3, ...video }, { id: 4, ...data }),
      contextsubtype: 12,
      plcmtcnt: 1,
      eventtrackers: [{ event: 1, methods: [1, 2] }, { event: 555, methods: [500] }],
      privacy: 1,
      ext: { anything: [1, 2] },
    };
    expect(strict(payload)).toEqual([]);
  });

  it('accepts the Native 1.0 wrapper and reports paths inside it', () => {
    expect(strict({ native: withAssets({ id: 1, ...title }) })).toEqual([]);
    expect(strict({ native: withAssets({ id: 1, title: {} }) })).toEqual(['native.assets.0.title.len']);
  });

  it.each<[string, Json]>([
    ['no assets key in a versioned ("short") request', { ver: '1', layout: 2, adunit: 4, plcmtcnt: 1 }],
    ['assets without ids', withAssets(title, img)],
    ['one id omitted among distinct ids (counts as 0)', withAssets({ id: 1, ...title }, img)],
    ['context without subtype', { ...withAssets(title), context: 3 }],
    ['a subtype without context (Prebid checks it only against a context)', { assets: [title], contextsubtype: 41 }],
    ['exchange-specific context values', { ...withAssets(title), context: 500, contextsubtype: 11, plcmttype: 501 }],
    ['compatible context/subtype pairs', { ...withAssets(title), context: 2, contextsubtype: 21 }],
    ['VAST 4.2 protocols', withAssets({ video: { ...video.video, protocols: [13, 14] } })],
  ])('accepts %s', (_name, payload) => {
    expect(strict(payload)).toEqual([]);
  });

  it.each<[string, Json, string]>([
    ['assets: []', withAssets(), 'assets'],
    ['assets not an array', { assets: {} }, 'assets'],
    ['an asset that is not an object', withAssets('title' as unknown as Json), 'assets.0'],
    ['an asset with no type', withAssets({ id: 1, required: 1 }), 'assets.0'],
    ['an asset with two types', withAssets({ ...title, ...img }), 'assets.0'],
    ['title without len', withAssets({ title: {} }), 'assets.0.title.len'],
    ['title.len = 0', withAssets({ title: { len: 0 } }), 'assets.0.title.len'],
    ['negative img.w', withAssets({ img: { w: -1, h: 1 } }), 'assets.0.img.w'],
    ['negative img.h', withAssets({ img: { w: 1, h: -1 } }), 'assets.0.img.h'],
    ['negative img.wmin', withAssets({ img: { wmin: -1 } }), 'assets.0.img.wmin'],
    ['negative img.hmin', withAssets({ img: { hmin: -1 } }), 'assets.0.img.hmin'],
    ['video without mimes', withAssets({ video: { minduration: 1, maxduration: 2, protocols: [2] } }), 'assets.0.video.mimes'],
    ['video with empty mimes', withAssets({ video: { ...video.video, mimes: [] } }), 'assets.0.video.mimes'],
    ['video without minduration', withAssets({ video: { mimes: ['v'], maxduration: 2, protocols: [2] } }), 'assets.0.video.minduration'],
    ['video without maxduration', withAssets({ video: { mimes: ['v'], minduration: 1, protocols: [2] } }), 'assets.0.video.maxduration'],
    ['video without protocols', withAssets({ video: { mimes: ['v'], minduration: 1, maxduration: 2 } }), 'assets.0.video.protocols'],
    ['video with empty protocols', withAssets({ video: { ...video.video, protocols: [] } }), 'assets.0.video.protocols'],
    ['video with an unknown protocol', withAssets({ video: { ...video.video, protocols: [2, 97] } }), 'assets.0.video.protocols.1'],
    ['data without type', withAssets({ data: {} }), 'assets.0.data.type'],
    ['data with an unknown type', withAssets({ data: { type: 364 } }), 'assets.0.data.type'],
    ['duplicate asset ids', withAssets({ id: 1, ...img }, { id: 1, ...title }), 'assets.1.id'],
    ['two omitted ids next to a set one', withAssets({ id: 1, ...img }, title, data), 'assets.2.id'],
    ['a string asset id', withAssets({ id: '1', ...title }), 'assets.0.id'],
    ['an unknown context', { ...withAssets(title), context: 376 }, 'context'],
    ['an unknown placement type', { ...withAssets(title), plcmttype: 423 }, 'plcmttype'],
    ['an unknown context subtype', { ...withAssets(title), contextsubtype: 41 }, 'contextsubtype'],
    ['a negative context subtype', { ...withAssets(title), contextsubtype: -1 }, 'contextsubtype'],
    ['content context with a social subtype', { ...withAssets(title), context: 1, contextsubtype: 21 }, 'contextsubtype'],
    ['product context with a content subtype', { ...withAssets(title), context: 3, contextsubtype: 11 }, 'contextsubtype'],
    ['social context with a product subtype', { ...withAssets(title), context: 2, contextsubtype: 31 }, 'contextsubtype'],
    ['context as a string', { ...withAssets(title), context: '1' }, 'context'],
    ['ver as a number', { ...withAssets(title), ver: 1.2 }, 'ver'],
    ['an empty event tracker', { ...withAssets(title), eventtrackers: [{}] }, 'eventtrackers.0.event'],
    ['an unknown event', { ...withAssets(title), eventtrackers: [{ event: 5, methods: [1] }] }, 'eventtrackers.0.event'],
    ['empty methods', { ...withAssets(title), eventtrackers: [{ event: 1, methods: [] }] }, 'eventtrackers.0.methods'],
    ['an unknown method', { ...withAssets(title), eventtrackers: [{ event: 1, methods: [3] }] }, 'eventtrackers.0.methods.0'],
    ['eventtrackers not an array', { ...withAssets(title), eventtrackers: {} }, 'eventtrackers'],
  ])('rejects %s', (_name, payload, path) => {
    expect(strict(payload)[0]).toBe(path);
  });

  it('needs assets unless a Native version is declared, in the payload or in imp.native.ver', () => {
    expect(nativeRequestIssues('{}').map((i) => i.path)).toEqual([['assets']]);
    expect(nativeRequestIssues('{"native":{}}').map((i) => i.path)).toEqual([['native', 'assets']]);
    expect(nativeRequestIssues('{}', '1.2')).toEqual([]);
    expect(nativeRequestIssues('{"native":{"ver":"1"}}')).toEqual([]);
  });

  it('reports both halves of an empty event tracker', () => {
    expect(strict({ ...withAssets(title), eventtrackers: [{}] })).toEqual(['eventtrackers.0.event', 'eventtrackers.0.methods']);
  });

  it('rejects an empty or blank string, and JSON that is not an object', () => {
    expect(nativeRequestIssues('')).toEqual([{ path: [], message: 'must not be empty' }]);
    expect(nativeRequestIssues('   ')).toEqual([{ path: [], message: 'must not be empty' }]);
    expect(nativeRequestIssues('[]')).toEqual([{ path: [], message: 'must be a JSON object' }]);
    expect(nativeRequestIssues('12')).toEqual([{ path: [], message: 'must be a JSON object' }]);
  });

  it('leaves a non-JSON string opaque (accepted; the imp just cannot be filled)', () => {
    expect(nativeRequestIssues('{"native":{"assets":[ ... ]}}')).toEqual([]);
  });
});

describe('nativeRequestIssues (legacy inline object, converter rules)', () => {
  it('accepts several types in one asset, bare video assets and unlisted subtypes', () => {
    const payload = { native: { ver: '1.1', context: 2, contextsubtype: 2, assets: [{ id: 9, ...title, img: {}, video: { mimes: ['video/mp4'] }, ...data }] } };
    expect(legacy(payload)).toEqual([]);
  });

  it('accepts a versioned request without assets, not an empty shell', () => {
    expect(legacy({ native: { ver: '1', layout: 2 } })).toEqual([]);
    expect(legacy({ native: {} })).toEqual(['native.assets']);
  });

  it.each<[string, Json, string]>([
    ['an asset without id', { native: { assets: [title] } }, 'native.assets.0.id'],
    ['title without len', { native: { assets: [{ id: 1, title: {} }] } }, 'native.assets.0.title.len'],
    ['an asset with no type', { native: { assets: [{ id: 1 }] } }, 'native.assets.0'],
    ['duplicate ids', { assets: [{ id: 1, ...title }, { id: 1, ...img }] }, 'assets.1.id'],
    ['video without mimes', { assets: [{ id: 1, video: {} }] }, 'assets.0.video.mimes'],
    ['an empty assets array', { native: { assets: [] } }, 'native.assets'],
  ])('rejects %s', (_name, payload, path) => {
    expect(legacy(payload)[0]).toBe(path);
  });
});

describe('native requests inside parseBidRequest', () => {
  function request(native: Json): Json {
    return { id: 'r', imp: [{ id: '1', native }], app: { bundle: 'b' } };
  }

  it('prefixes payload paths with the imp path', () => {
    const r = parseBidRequest(request({ request: JSON.stringify(withAssets({ title: { len: 0 } })) }));
    expect(r.ok ? [] : r.issues).toEqual([{ path: 'imp[0].native.request.assets[0].title.len', message: 'must be >= 1' }]);
  });

  it('takes the declared version from imp.native.ver', () => {
    expect(parseBidRequest(request({ request: '{}', ver: '1' })).ok).toBe(true);
    const r = parseBidRequest(request({ request: '{}' }));
    expect(r.ok ? [] : r.issues).toEqual([{ path: 'imp[0].native.request.assets', message: 'is required' }]);
  });

  it('keeps the 1.0 wrapper in the path of a legacy object', () => {
    const r = parseBidRequest(request({ request: { native: { assets: [{ id: 1 }] } } }));
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['imp[0].native.request.native.assets[0]']);
  });
});

describe('parseNativeRequest', () => {
  it('returns the markup request, without the 1.0 wrapper', () => {
    const inner = withAssets({ id: 1, ...title });
    expect(parseNativeRequest(JSON.stringify(inner))).toEqual(inner);
    expect(parseNativeRequest(JSON.stringify({ native: inner }))).toEqual(inner);
  });

  it('returns undefined for an opaque payload', () => {
    expect(parseNativeRequest('not json')).toBeUndefined();
    expect(parseNativeRequest('[1]')).toBeUndefined();
  });
});
