/**
 * What an OpenRTB imp accepts, reduced to what creative matching needs: banner sizes, video
 * constraints, native assets. The imp is already validated (request-schema.ts, native-request.ts),
 * so nothing here is an error: media we cannot use are simply absent, and the engine answers
 * `unsupported_media` / `no_creative_fits`.
 */
import { z } from 'zod';
import type { BannerSpec, NativeAssetSpec, NativeSpec, Size, VideoSpec } from '../engine/request-context';
import { unwrap } from './native-request';
import { isJsonObject } from './primitives';
import type { BidRequest } from './request-schema';

type Imp = BidRequest['imp'][number];

export interface MediaSpecs {
  readonly banner?: BannerSpec;
  readonly video?: VideoSpec;
  readonly native?: NativeSpec;
}

export function mediaSpecs(imp: Imp): MediaSpecs {
  const banner = imp.banner ? bannerSpec(imp.banner) : undefined;
  const video = imp.video ? videoSpec(imp.video) : undefined;
  const native = imp.native ? nativeSpec(imp.native) : undefined;
  return { ...(banner ? { banner } : {}), ...(video ? { video } : {}), ...(native ? { native } : {}) };
}

const positive = (n: number | undefined): n is number => n !== undefined && n > 0;

/** Sizes from `format[]`, else `w`/`h`; a banner without a usable size is no banner for us. */
function bannerSpec(b: NonNullable<Imp['banner']>): BannerSpec | undefined {
  const sizes: Size[] = [];
  for (const f of b.format ?? []) if (positive(f.w) && positive(f.h)) sizes.push({ w: f.w, h: f.h });
  if (sizes.length === 0 && positive(b.w) && positive(b.h)) sizes.push({ w: b.w, h: b.h });
  return sizes.length === 0 ? undefined : { sizes, blockedAttributes: b.battr ?? [] };
}

function videoSpec(v: NonNullable<Imp['video']>): VideoSpec {
  // 2.2's singular `protocol` still arrives from old exchanges; it means the same as a one-item list.
  const protocols = v.protocol !== undefined && !(v.protocols ?? []).includes(v.protocol) ? [...(v.protocols ?? []), v.protocol] : (v.protocols ?? []);
  const required = (v.rqddurs ?? []).filter((d) => d > 0);
  return {
    mimes: v.mimes.map((m) => m.toLowerCase()),
    ...(positive(v.minduration) ? { minDurationSec: v.minduration } : {}),
    // 0 is no limit anyone means: no video lasts 0 s.
    ...(positive(v.maxduration) ? { maxDurationSec: v.maxduration } : {}),
    ...(required.length > 0 ? { requiredDurationsSec: required } : {}),
    protocols,
    ...(positive(v.w) ? { w: v.w } : {}),
    ...(positive(v.h) ? { h: v.h } : {}),
    blockedAttributes: v.battr ?? [],
  };
}

const optNonNeg = z.int().min(0).optional();
const assetSchema = z.object({
  id: z.int().optional(),
  required: z.int().optional(),
  title: z.object({ len: z.int().min(1) }).optional(),
  img: z.object({ type: z.int().optional(), w: optNonNeg, h: optNonNeg, wmin: optNonNeg, hmin: optNonNeg }).optional(),
  video: z.unknown().optional(),
  data: z.object({ type: z.int(), len: optNonNeg }).optional(),
});
/** Only what matching and the response shape need; anything else in the payload is ignored. */
const nativeBodySchema = z.object({
  ver: z.string().optional(),
  assets: z.array(assetSchema).min(1),
  eventtrackers: z.array(z.object({ event: z.int(), methods: z.array(z.int()) })).optional(),
});
type AssetIn = z.infer<typeof assetSchema>;

const VERSION = /^[0-9]{1,2}(\.[0-9]{1,2}){0,2}$/;

/**
 * The assets of `native.request` (a string after validation: inline objects are re-serialised).
 * An opaque or asset-less payload (allowed by validation) gives no native spec: we cannot know
 * what to fill.
 */
function nativeSpec(n: NonNullable<Imp['native']>): NativeSpec | undefined {
  let root: unknown;
  try {
    root = JSON.parse(n.request);
  } catch {
    return undefined;
  }
  if (!isJsonObject(root)) return undefined;
  const { body, path } = unwrap(root);
  const parsed = nativeBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { assets, eventtrackers } = parsed.data;
  const wrapped = path.length > 0;
  const declared = parsed.data.ver ?? n.ver;
  // Strict (spec) payloads may omit every id; ids are then positions, as Prebid Server assigns them.
  const byPosition = assets.every((a) => (a.id ?? 0) === 0);
  return {
    assets: assets.map((a, i) => assetSpec(a, byPosition ? i : (a.id ?? 0))),
    blockedAttributes: n.battr ?? [],
    response: {
      ver: declared !== undefined && VERSION.test(declared) ? declared : wrapped ? '1.0' : '1.2',
      wrapped,
      impressionImageTracker: (eventtrackers ?? []).some((t) => t.event === 1 && t.methods.includes(1)),
    },
  };
}

/** Legacy payloads may put several types in one asset: the first we could fill represents it. */
function assetSpec(a: AssetIn, id: number): NativeAssetSpec {
  const required = a.required === 1;
  if (a.title) return { id, required, kind: 'title', len: a.title.len };
  if (a.img) {
    const { w, h, wmin, hmin } = a.img;
    return {
      id,
      required,
      kind: 'image',
      // An untyped image is asked for as the main image.
      type: a.img.type ?? 3,
      ...(w !== undefined ? { w } : {}),
      ...(h !== undefined ? { h } : {}),
      ...(wmin !== undefined ? { wmin } : {}),
      ...(hmin !== undefined ? { hmin } : {}),
    };
  }
  if (a.data) return { id, required, kind: 'data', type: a.data.type, ...(a.data.len !== undefined ? { len: a.data.len } : {}) };
  return { id, required, kind: 'video' };
}
