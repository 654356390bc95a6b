import { describe, expect, expectTypeOf, it } from 'vitest';
import { MAX_IMPS, parseBidRequest, type BidRequest } from './request-schema';

/** All fixtures are small requests written for these tests. */
type Json = Record<string, unknown>;

function bannerRequest(overrides: Json = {}): Json {
  return {
    id: 'req-1',
    imp: [{ id: '1', banner: { w: 300, h: 250 }, bidfloor: 0.5, bidfloorcur: 'USD' }],
    site: { id: 's1', domain: 'example.com', page: 'https://example.com/a', publisher: { id: 'p1' } },
    device: { ua: 'Mozilla/5.0', ip: '192.0.2.1', geo: { country: 'USA' } },
    user: { id: 'u1' },
    tmax: 120,
    ...overrides,
  };
}

/** Replaces one imp field of the minimal banner request. */
function withImp(imp: Json): Json {
  return bannerRequest({ imp: [{ id: '1', ...imp }] });
}

function ok(input: unknown) {
  const r = parseBidRequest(input);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.value;
}

function issues(input: unknown) {
  const r = parseBidRequest(input);
  if (r.ok) throw new Error('expected issues, got ok');
  return r.issues;
}

function paths(input: unknown): string[] {
  return issues(input).map((i) => i.path);
}

describe('BidRequest (output type)', () => {
  type Imp = BidRequest['imp'][number];
  it('types the fields the engine consumes', () => {
    expectTypeOf<BidRequest['id']>().toEqualTypeOf<string>();
    expectTypeOf<Imp['bidfloor']>().toEqualTypeOf<number>();
    expectTypeOf<NonNullable<Imp['native']>['request']>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<NonNullable<Imp['banner']>['format']>[number]['w']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<NonNullable<NonNullable<Imp['pmp']>['deals']>[number]['id']>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<BidRequest['regs']>['gdpr']>().toEqualTypeOf<0 | 1 | undefined>();
    expectTypeOf<NonNullable<NonNullable<BidRequest['regs']>['ext']>['us_privacy']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<NonNullable<BidRequest['user']>['ext']>['consent']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<NonNullable<BidRequest['device']>['geo']>['utcoffset']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<BidRequest['cur']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<BidRequest['ext']>().toEqualTypeOf<Record<string, unknown> | undefined>();
  });
});

describe('parseBidRequest accepts', () => {
  it('a minimal banner request and types what the engine reads', () => {
    const req = ok(bannerRequest());
    expect(req.id).toBe('req-1');
    expect(req.imp[0]?.banner).toEqual({ w: 300, h: 250 });
    expect(req.imp[0]?.bidfloor).toBe(0.5);
    expect(req.site?.publisher?.id).toBe('p1');
    expect(req.device?.geo?.country).toBe('USA');
    expect(req.tmax).toBe(120);
  });

  it('defaults imp.bidfloor to 0', () => {
    const req = ok(withImp({ banner: { format: [{ w: 728, h: 90 }] } }));
    expect(req.imp[0]?.bidfloor).toBe(0);
  });

  it('a video imp', () => {
    const req = ok(
      withImp({
        video: { mimes: ['video/mp4'], minduration: 5, maxduration: 30, protocols: [2, 3, 7], w: 640, h: 480, startdelay: -1, plcmt: 1 },
      }),
    );
    expect(req.imp[0]?.video?.mimes).toEqual(['video/mp4']);
  });

  it('an audio imp in an app request', () => {
    const req = ok({
      id: 'a',
      imp: [{ id: '1', audio: { mimes: ['audio/mp4'], minbitrate: 32, maxbitrate: 128 } }],
      app: { id: 'app1', bundle: 'com.example.app', cat: ['IAB1'], publisher: { id: 'p' } },
    });
    expect(req.app?.bundle).toBe('com.example.app');
  });

  it('a native imp with a Native 1.2 string request, passed through unchanged', () => {
    const request = JSON.stringify({ ver: '1.2', context: 1, plcmttype: 1, assets: [{ id: 1, required: 1, title: { len: 90 } }] });
    const req = ok(withImp({ native: { request, ver: '1.2' } }));
    expect(req.imp[0]?.native?.request).toBe(request);
  });

  it('a legacy inline-object native request, re-serialised as a string', () => {
    const payload = { native: { ver: '1.1', assets: [{ id: 1, title: { len: 25 } }] } };
    const req = ok(withImp({ native: { request: payload } }));
    expect(JSON.parse(req.imp[0]?.native?.request ?? '')).toEqual(payload);
  });

  it('several imps with pmp deals, formats and mixed media', () => {
    const req = ok(
      bannerRequest({
        imp: [
          { id: '1', banner: { format: [{ w: 300, h: 250 }, { w: 300, h: 600 }] }, pmp: { private_auction: 1, deals: [{ id: 'd1', bidfloor: 2, bidfloorcur: 'EUR' }] } },
          { id: '2', video: { mimes: ['video/mp4'] }, banner: { w: 320, h: 50 }, instl: 1, secure: 1, tagid: 'slot-2' },
        ],
        cur: ['USD', 'EUR'],
        bcat: ['IAB25'],
        badv: ['example.org'],
        bapp: ['com.example.blocked'],
        at: 1,
        test: 0,
      }),
    );
    expect(req.imp.map((i) => i.id)).toEqual(['1', '2']);
    expect(req.imp[0]?.pmp?.deals?.[0]).toMatchObject({ id: 'd1', bidfloor: 2, bidfloorcur: 'EUR' });
  });

  it('2.5-era ext spellings, typed', () => {
    const schain = { complete: 1, ver: '1.0', nodes: [{ asi: 'exchange.example', sid: '42', hp: 1 }] };
    const req = ok(
      bannerRequest({
        regs: { ext: { gdpr: 1, us_privacy: '1YNN' } },
        user: { id: 'u', ext: { consent: 'CONSENT', eids: [{ source: 'x' }] } },
        source: { tid: 't', ext: { schain } },
      }),
    );
    expect(req.regs?.ext?.gdpr).toBe(1);
    expect(req.regs?.ext?.us_privacy).toBe('1YNN');
    expect(req.user?.ext?.consent).toBe('CONSENT');
    expect(req.source?.ext?.schain).toEqual(schain);
  });

  it('2.6 privacy fields', () => {
    const req = ok(bannerRequest({ regs: { gdpr: 0, coppa: 1, us_privacy: '1---', gpp: 'DBAA', gpp_sid: [7] }, user: { consent: 'C' } }));
    expect(req.regs).toMatchObject({ gdpr: 0, coppa: 1, gpp_sid: [7] });
    expect(req.user?.consent).toBe('C');
  });

  it('any ext content anywhere, kept as sent', () => {
    const weird = { prebid: { bidder: { x: [1, 'two', null, { deep: true }] } }, flag: true, n: null };
    const input = bannerRequest({
      ext: weird,
      imp: [{ id: '1', banner: { w: 1, h: 1, ext: weird }, ext: weird }],
      site: { page: 'p', ext: weird, publisher: { ext: weird } },
      device: { ext: weird, geo: { ext: weird } },
      user: { ext: { ...weird, consent: 'c' } },
      regs: { ext: { ...weird, gdpr: 0 } },
      source: { ext: weird },
    });
    const req = ok(input);
    expect(req.ext).toEqual(weird);
    expect(req.imp[0]?.ext).toEqual(weird);
    expect(req.imp[0]?.banner?.ext).toEqual(weird);
    expect(req.device?.geo?.ext).toEqual(weird);
    expect(req.user?.ext).toEqual({ ...weird, consent: 'c' });
    expect(req.regs?.ext).toEqual({ ...weird, gdpr: 0 });
  });

  it('unknown non-ext keys, dropped from the output', () => {
    const req = ok(bannerRequest({ somethingNew: { a: 1 }, imp: [{ id: '1', banner: { w: 1, h: 1, future: 'x' }, rwdd: 1 }] }));
    expect(req).not.toHaveProperty('somethingNew');
    expect(req.imp[0]?.banner).not.toHaveProperty('future');
  });

  it('a DOOH request', () => {
    const req = ok({ id: 'd', imp: [{ id: '1', banner: { w: 1920, h: 1080 }, qty: { multiplier: 14.2 }, dt: 1700000000000 }], dooh: { id: 'screen', venuetype: ['transit'] } });
    expect(req.dooh?.id).toBe('screen');
  });

  it.each<[string, Json]>([
    ['a banner without any size', withImp({ banner: {} })],
    ['a banner with only w', withImp({ banner: { w: 300 } })],
    ['an empty format array', withImp({ banner: { format: [] } })],
    ['a Format object without w/h', withImp({ banner: { format: [{}] } })],
    ['a Format with both w/h and ratios', withImp({ banner: { format: [{ w: 300, h: 250, wratio: 6, hratio: 5, wmin: 300 }] } })],
    ['deprecated wmin/wmax/hmin/hmax', withImp({ banner: { wmin: 1, wmax: 2, hmin: 3, hmax: 4 } })],
    ['an imp without ext', withImp({ banner: { w: 1, h: 1 } })],
    ['no site, app or dooh', { id: 'x', imp: [{ id: '1', banner: { w: 1, h: 1 } }] }],
    ['an empty site', bannerRequest({ site: {} })],
    ['out-of-range lat/lon and odd flag values', bannerRequest({ test: 5, device: { dnt: 2, geo: { lat: 123.4, lon: 678.9 } } })],
  ])('what the spec allows but Prebid refuses: %s', (_name, input) => {
    expect(parseBidRequest(input).ok).toBe(true);
  });
});

describe('parseBidRequest rejects, naming the field', () => {
  it.each<[string, unknown, string]>([
    ['null', null, '(root)'],
    ['an array', [], '(root)'],
    ['a string', 'bid', '(root)'],
    ['a missing id', { imp: [{ id: '1', banner: {} }] }, 'id'],
    ['a numeric id', bannerRequest({ id: 7 }), 'id'],
    ['an empty id', bannerRequest({ id: '' }), 'id'],
    ['a missing imp', { id: 'x' }, 'imp'],
    ['an empty imp array', bannerRequest({ imp: [] }), 'imp'],
    ['imp not an array', bannerRequest({ imp: { id: '1' } }), 'imp'],
    ['a numeric imp id', withImp({ id: 1, banner: {} }), 'imp[0].id'],
    ['an imp without media', withImp({ tagid: 't' }), 'imp[0]'],
    ['site and app together', bannerRequest({ app: { id: 'a' } }), 'app'],
    ['site and dooh together', bannerRequest({ dooh: { id: 'd' } }), 'dooh'],
    ['app and dooh together', { id: 'x', imp: [{ id: '1', banner: {} }], app: {}, dooh: {} }, 'dooh'],
    ['a negative tmax', bannerRequest({ tmax: -2 }), 'tmax'],
    ['a negative banner.w', withImp({ banner: { w: -1, h: 250 } }), 'imp[0].banner.w'],
    ['a negative banner.h', withImp({ banner: { w: 300, h: -1 } }), 'imp[0].banner.h'],
    ['a negative format.w', withImp({ banner: { format: [{ w: -300, h: 250 }] } }), 'imp[0].banner.format[0].w'],
    ['a negative format.h', withImp({ banner: { format: [{ w: 300, h: -250 }] } }), 'imp[0].banner.format[0].h'],
    ['a negative format.wratio', withImp({ banner: { format: [{ wratio: -1 }] } }), 'imp[0].banner.format[0].wratio'],
    ['a negative format.hratio', withImp({ banner: { format: [{ hratio: -1 }] } }), 'imp[0].banner.format[0].hratio'],
    ['a negative format.wmin', withImp({ banner: { format: [{ wmin: -1 }] } }), 'imp[0].banner.format[0].wmin'],
    ['a fractional banner.w', withImp({ banner: { w: 300.5, h: 250 } }), 'imp[0].banner.w'],
    ['a negative video.w', withImp({ video: { mimes: ['v'], w: -1 } }), 'imp[0].video.w'],
    ['a negative video.h', withImp({ video: { mimes: ['v'], h: -1 } }), 'imp[0].video.h'],
    ['a negative video.minbitrate', withImp({ video: { mimes: ['v'], minbitrate: -1 } }), 'imp[0].video.minbitrate'],
    ['a negative video.maxbitrate', withImp({ video: { mimes: ['v'], maxbitrate: -1 } }), 'imp[0].video.maxbitrate'],
    ['a negative audio.minbitrate', withImp({ audio: { mimes: ['a'], minbitrate: -1 } }), 'imp[0].audio.minbitrate'],
    ['a negative audio.maxbitrate', withImp({ audio: { mimes: ['a'], maxbitrate: -1 } }), 'imp[0].audio.maxbitrate'],
    ['a negative audio.sequence', withImp({ audio: { mimes: ['a'], sequence: -1 } }), 'imp[0].audio.sequence'],
    ['a negative audio.maxseq', withImp({ audio: { mimes: ['a'], maxseq: -1 } }), 'imp[0].audio.maxseq'],
    ['a negative imp.bidfloor', withImp({ banner: {}, bidfloor: -0.01 }), 'imp[0].bidfloor'],
    ['a negative deal.bidfloor', withImp({ banner: {}, pmp: { deals: [{ id: 'd', bidfloor: -1 }] } }), 'imp[0].pmp.deals[0].bidfloor'],
    ['a negative device.w', bannerRequest({ device: { w: -1 } }), 'device.w'],
    ['a negative device.h', bannerRequest({ device: { h: -1 } }), 'device.h'],
    ['a negative device.ppi', bannerRequest({ device: { ppi: -1 } }), 'device.ppi'],
    ['a negative device.geo.accuracy', bannerRequest({ device: { geo: { accuracy: -1 } } }), 'device.geo.accuracy'],
    ['a negative user.geo.accuracy', bannerRequest({ user: { geo: { accuracy: -1 } } }), 'user.geo.accuracy'],
    ['video without mimes', withImp({ video: { w: 640 } }), 'imp[0].video.mimes'],
    ['video with empty mimes', withImp({ video: { mimes: [] } }), 'imp[0].video.mimes'],
    ['audio without mimes', withImp({ audio: {} }), 'imp[0].audio.mimes'],
    ['audio with empty mimes', withImp({ audio: { mimes: [] } }), 'imp[0].audio.mimes'],
    ['native without request', withImp({ native: {} }), 'imp[0].native.request'],
    ['native with an empty request', withImp({ native: { request: '' } }), 'imp[0].native.request'],
    ['native with a numeric request', withImp({ native: { request: 5 } }), 'imp[0].native.request'],
    ['a deal without id', withImp({ banner: {}, pmp: { deals: [{ bidfloor: 1 }] } }), 'imp[0].pmp.deals[0].id'],
    ['a deal with an empty id', withImp({ banner: {}, pmp: { deals: [{ id: '' }] } }), 'imp[0].pmp.deals[0].id'],
    ['an empty metric object', withImp({ banner: {}, metric: [{}] }), 'imp[0].metric[0].type'],
    ['a metric without value', withImp({ banner: {}, metric: [{ type: 'viewability' }] }), 'imp[0].metric[0].value'],
    ['regs.gdpr = 2', bannerRequest({ regs: { gdpr: 2 } }), 'regs.gdpr'],
    ['regs.gdpr as a string', bannerRequest({ regs: { gdpr: '1' } }), 'regs.gdpr'],
    ['regs.coppa = 2', bannerRequest({ regs: { coppa: 2 } }), 'regs.coppa'],
    ['regs.ext.gdpr = 2', bannerRequest({ regs: { ext: { gdpr: 2 } } }), 'regs.ext.gdpr'],
    ['regs.ext not an object', bannerRequest({ regs: { ext: 'malformed' } }), 'regs.ext'],
    ['user.ext.consent not a string', bannerRequest({ user: { ext: { consent: 1 } } }), 'user.ext.consent'],
    ['imp.ext not an object', withImp({ banner: {}, ext: 'x' }), 'imp[0].ext'],
    ['ext as an array', bannerRequest({ ext: [] }), 'ext'],
    ['at as a string', bannerRequest({ at: 'ab' }), 'at'],
    ['test as a string', bannerRequest({ test: 'a' }), 'test'],
    ['tmax as a string', bannerRequest({ tmax: 'as' }), 'tmax'],
    ['allimps as a string', bannerRequest({ allimps: 'dd' }), 'allimps'],
    ['wseat as a string', bannerRequest({ wseat: '1' }), 'wseat'],
    ['a number in cur', bannerRequest({ cur: ['USD', 1] }), 'cur[1]'],
    ['app.cat as a string', { id: 'x', imp: [{ id: '1', banner: {} }], app: { cat: '1' } }, 'app.cat'],
    ['site.mobile as a string', bannerRequest({ site: { mobile: 'ff' } }), 'site.mobile'],
    ['site.content.episode as a string', bannerRequest({ site: { content: { episode: 'ff' } } }), 'site.content.episode'],
    ['device.w as a string', bannerRequest({ device: { w: 'ff' } }), 'device.w'],
    ['device.geo.country as a number', bannerRequest({ device: { geo: { country: 1 } } }), 'device.geo.country'],
    ['device.lmt as a string', bannerRequest({ device: { lmt: 'x' } }), 'device.lmt'],
    ['user.yob as a string', bannerRequest({ user: { yob: 'ff' } }), 'user.yob'],
    ['source.fd as a string', bannerRequest({ source: { fd: 'dd' } }), 'source.fd'],
    ['a supply chain node without asi', bannerRequest({ source: { schain: { complete: 1, ver: '1.0', nodes: [{ sid: '1' }] } } }), 'source.schain.nodes[0].asi'],
    ['a 2.5 ext.schain without nodes', bannerRequest({ source: { ext: { schain: { complete: 1, ver: '1.0' } } } }), 'source.ext.schain.nodes'],
    ['null for an optional object', bannerRequest({ device: null }), 'device'],
  ])('%s', (_name, input, path) => {
    expect(paths(input)[0]).toBe(path);
  });

  it('duplicate imp ids, pointing at the repeat', () => {
    const input = bannerRequest({ imp: [{ id: 'a', banner: {} }, { id: 'b', banner: {} }, { id: 'a', banner: {} }] });
    expect(issues(input)).toEqual([{ path: 'imp[2].id', message: 'must be unique (same as imp[0].id)' }]);
  });

  it('an empty imp object: both its id and its media', () => {
    expect(paths(bannerRequest({ imp: [{}] }))).toEqual(['imp[0].id', 'imp[0]']);
  });

  it('reports every problem at once, field checks and cross-field checks alike', () => {
    const input = {
      imp: [
        { id: 'x', banner: { w: -1 } },
        { id: 'x', video: { mimes: [] } },
        { id: 'z', native: { request: '{"assets":[{"title":{}}]}' } },
      ],
      site: {},
      app: {},
      regs: { gdpr: 3 },
      tmax: -5,
    };
    expect(paths(input)).toEqual([
      'id',
      'tmax',
      'imp[0].banner.w',
      'imp[1].video.mimes',
      'imp[2].native.request.assets[0].title.len',
      'regs.gdpr',
      'imp[1].id',
      'app',
    ]);
  });

  it('gives messages that name types and limits', () => {
    expect(issues(bannerRequest({ tmax: 'as' }))[0]?.message).toBe('expected integer, got string');
    expect(issues(withImp({ banner: { w: 1.5 } }))[0]?.message).toBe('expected integer, got a fractional number');
    expect(issues(bannerRequest({ tmax: -1 }))[0]?.message).toBe('must be >= 0');
    expect(issues({ imp: [{ id: '1', banner: {} }] })[0]?.message).toBe('is required');
    expect(issues(bannerRequest({ imp: [] }))[0]?.message).toBe('must not be empty');
    expect(issues(bannerRequest({ regs: { gdpr: 2 } }))[0]?.message).toBe('must be one of 0, 1');
    expect(issues(bannerRequest({ regs: { ext: 'x' } }))[0]?.message).toBe('expected object, got string');
    expect(issues(bannerRequest({ ext: [] }))[0]?.message).toBe('expected object, got array');
  });

  it('never puts request values in messages', () => {
    const secret = 'SECRET-VALUE-4242';
    const input = {
      id: 42,
      imp: [{ id: secret, banner: { w: secret } }, { id: secret, native: { request: `{"assets":[{"data":{"type":"${secret}"}}]}` } }],
      regs: { gdpr: secret, ext: secret },
      user: { ext: { consent: 4242 } },
      device: { geo: { country: 4242 } },
      at: secret,
    };
    const out = JSON.stringify(issues(input));
    expect(out).not.toContain(secret);
    expect(out).not.toContain('4242');
  });

  it('caps the issue list for pathological input', () => {
    // Two issues per imp (numeric id, no media object), within the imp cap.
    const input = { id: 'x', imp: Array.from({ length: 80 }, (_, i) => ({ id: i })) };
    const out = issues(input);
    expect(out).toHaveLength(101);
    expect(out[100]).toEqual({ path: '(root)', message: '60 more issues not shown' });
  });
});

describe('impression cap (policy, not spec)', () => {
  it(`refuses more than ${String(MAX_IMPS)} imps with a path, accepts exactly that many`, () => {
    const imps = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i), banner: { w: 300, h: 250 } }));
    expect(parseBidRequest({ id: 'r', imp: imps(MAX_IMPS) }).ok).toBe(true);
    const r = parseBidRequest({ id: 'r', imp: imps(MAX_IMPS + 1) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.path).toBe('imp');
  });
});
