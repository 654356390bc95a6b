/**
 * OpenRTB 2.6 `Imp` and what hangs off it (spec 3.2.4 – 3.2.12, 3.2.31, 3.2.33 – 3.2.35).
 *
 * Types follow the spec tables; deprecated 2.x fields (`banner.wmax/hmax/wmin/hmin`,
 * `video.protocol`, `video.sequence`, `video.placement`) are still typed because exchanges still
 * send them. Sizes, durations, bitrates and floors must be >= 0. Anything the spec only
 * recommends (banner sizes, Format w/h, `imp.ext`) is optional: a request that lacks it gets a
 * no-bid from the engine, not a 400.
 */
import { z } from 'zod';
import { nativeRequestIssues } from './native-request';
import {
  flag,
  id,
  isJsonObject,
  nonNegIntArr,
  nonNegNum,
  num,
  optExt,
  optInt,
  optIntArr,
  optNonNegInt,
  optNonNegNum,
  optNum,
  optStr,
  optStrArr,
  str,
  strArr,
} from './primitives';

export const formatSchema = z.object({
  w: optNonNegInt,
  h: optNonNegInt,
  wratio: optNonNegInt,
  hratio: optNonNegInt,
  wmin: optNonNegInt,
  ext: optExt,
});

export const bannerSchema = z.object({
  format: z.array(formatSchema).optional(),
  w: optNonNegInt,
  h: optNonNegInt,
  /** Deprecated since 2.4 in favour of `format`; still typed and still accepted. */
  wmax: optNonNegInt,
  hmax: optNonNegInt,
  wmin: optNonNegInt,
  hmin: optNonNegInt,
  btype: optIntArr,
  battr: optIntArr,
  pos: optInt,
  mimes: optStrArr,
  topframe: optInt,
  expdir: optIntArr,
  api: optIntArr,
  id: optStr,
  vcm: optInt,
  ext: optExt,
});

export const durFloorsSchema = z.object({
  mindur: optNonNegInt,
  maxdur: optNonNegInt,
  bidfloor: optNonNegNum,
  ext: optExt,
});

const durFloors = z.array(durFloorsSchema).optional();
const companionAds = z.array(bannerSchema).optional();
/** `mimes` is required and must name at least one type (video and audio alike). */
const mimes = strArr.min(1);

export const videoSchema = z.object({
  mimes,
  minduration: optNonNegInt,
  maxduration: optNonNegInt,
  startdelay: optInt,
  maxseq: optNonNegInt,
  poddur: optNonNegInt,
  protocols: optIntArr,
  /** 2.2-era singular form of `protocols`. */
  protocol: optInt,
  w: optNonNegInt,
  h: optNonNegInt,
  podid: optStr,
  podseq: optInt,
  rqddurs: nonNegIntArr.optional(),
  placement: optInt,
  plcmt: optInt,
  linearity: optInt,
  skip: optInt,
  skipmin: optNonNegInt,
  skipafter: optNonNegInt,
  sequence: optNonNegInt,
  slotinpod: optInt,
  mincpmpersec: optNonNegNum,
  battr: optIntArr,
  maxextended: optInt,
  minbitrate: optNonNegInt,
  maxbitrate: optNonNegInt,
  boxingallowed: optInt,
  playbackmethod: optIntArr,
  playbackend: optInt,
  delivery: optIntArr,
  pos: optInt,
  companionad: companionAds,
  api: optIntArr,
  companiontype: optIntArr,
  poddedupe: optIntArr,
  durfloors: durFloors,
  ext: optExt,
});

export const audioSchema = z.object({
  mimes,
  minduration: optNonNegInt,
  maxduration: optNonNegInt,
  poddur: optNonNegInt,
  protocols: optIntArr,
  startdelay: optInt,
  rqddurs: nonNegIntArr.optional(),
  podid: optStr,
  podseq: optInt,
  sequence: optNonNegInt,
  slotinpod: optInt,
  mincpmpersec: optNonNegNum,
  battr: optIntArr,
  maxextended: optInt,
  minbitrate: optNonNegInt,
  maxbitrate: optNonNegInt,
  delivery: optIntArr,
  companionad: companionAds,
  api: optIntArr,
  companiontype: optIntArr,
  maxseq: optNonNegInt,
  feed: optInt,
  stitched: optInt,
  nvol: optInt,
  durfloors: durFloors,
  ext: optExt,
});

/**
 * `native.request`: the Native 1.x request as a JSON string (spec) or, from legacy senders, as an
 * inline object. The payload is checked by `nativeRequestIssues` (which also needs `native.ver`,
 * hence the check on the Native object); the output is always the string form: an inline object
 * is re-serialised, a string passes through as is.
 */
const nativeRequest = z.custom<string | Record<string, unknown>>((v) => typeof v === 'string' || isJsonObject(v), {
  error: (issue) => (issue.input === undefined ? 'is required' : 'expected string'),
});

export const nativeSchema = z
  .object({
    request: nativeRequest,
    ver: optStr,
    api: optIntArr,
    battr: optIntArr,
    ext: optExt,
  })
  .superRefine(
    (native, ctx) => {
      if (!isJsonObject(native)) return; // already reported
      const { request, ver } = native;
      if (typeof request !== 'string' && !isJsonObject(request)) return; // already reported
      for (const issue of nativeRequestIssues(request, typeof ver === 'string' ? ver : undefined)) {
        ctx.addIssue({ code: 'custom', path: ['request', ...issue.path], message: issue.message });
      }
    },
    { when: () => true },
  )
  .transform((native) =>
    // No copy in the usual (string) case.
    typeof native.request === 'string' ? (native as NativeOut<typeof native>) : { ...native, request: JSON.stringify(native.request) },
  );

type NativeOut<T> = Omit<T, 'request'> & { request: string };

export const dealSchema = z.object({
  id,
  bidfloor: optNonNegNum,
  bidfloorcur: optStr,
  at: optInt,
  wseat: optStrArr,
  wadomain: optStrArr,
  guar: optInt,
  mincpmpersec: optNonNegNum,
  durfloors: durFloors,
  ext: optExt,
});

export const pmpSchema = z.object({
  /** 1 = only the deals below may bid; it changes what we may do, so only 0 and 1 are accepted. */
  private_auction: flag.optional(),
  deals: z.array(dealSchema).optional(),
  ext: optExt,
});

/** Both `type` and `value` are required: an empty Metric object is an error. */
export const metricSchema = z.object({
  type: str,
  value: num,
  vendor: optStr,
  ext: optExt,
});

export const qtySchema = z.object({
  multiplier: nonNegNum,
  sourcetype: optInt,
  vendor: optStr,
  ext: optExt,
});

export const refreshSchema = z.object({
  refsettings: z
    .array(z.object({ reftype: optInt, minint: optNonNegInt, ext: optExt }))
    .optional(),
  count: optNonNegInt,
  ext: optExt,
});

const MEDIA_KEYS = ['banner', 'video', 'audio', 'native'] as const;

export const impSchema = z
  .object({
    id,
    metric: z.array(metricSchema).optional(),
    banner: bannerSchema.optional(),
    video: videoSchema.optional(),
    audio: audioSchema.optional(),
    native: nativeSchema.optional(),
    pmp: pmpSchema.optional(),
    displaymanager: optStr,
    displaymanagerver: optStr,
    instl: optInt,
    tagid: optStr,
    bidfloor: nonNegNum.default(0),
    bidfloorcur: optStr,
    clickbrowser: optInt,
    secure: optInt,
    iframebuster: optStrArr,
    rwdd: optInt,
    ssai: optInt,
    exp: optNonNegInt,
    qty: qtySchema.optional(),
    dt: optNum,
    refresh: refreshSchema.optional(),
    ext: optExt,
  })
  .superRefine(
    (imp, ctx) => {
      // Runs even when a field above failed (`when`), so every problem is reported at once.
      if (!isJsonObject(imp)) return;
      if (!MEDIA_KEYS.some((k) => imp[k] !== undefined)) {
        ctx.addIssue({ code: 'custom', path: [], message: 'must contain at least one of banner, video, audio, native' });
      }
    },
    { when: () => true },
  );

export type Imp = z.infer<typeof impSchema>;
export type Banner = z.infer<typeof bannerSchema>;
export type Video = z.infer<typeof videoSchema>;
export type Audio = z.infer<typeof audioSchema>;
export type Native = z.infer<typeof nativeSchema>;
export type Deal = z.infer<typeof dealSchema>;
