/**
 * OpenRTB 2.6 context objects: where the impression is (Site / App / DOOH and their Publisher and
 * Content), who sees it (Device, Geo, User) and under which rules (Regs, Source).
 * Spec 3.2.2, 3.2.3, 3.2.13 – 3.2.30, 3.2.32.
 *
 * 2.5-era spellings that moved out of `ext` in 2.6 are typed where they still arrive:
 * `regs.ext.gdpr`, `regs.ext.us_privacy`, `user.ext.consent`, `source.ext.schain`. Every other
 * `ext` key passes through untyped. Deprecated fields (`user.yob`, `device.didsha1`, ...,
 * `content.videoquality`) are still type-checked.
 */
import { z } from 'zod';
import {
  flag,
  nonNegInt,
  optExt,
  optFlag,
  optInt,
  optIntArr,
  optNonNegInt,
  optNonNegNum,
  optNum,
  optStr,
  optStrArr,
  str,
} from './primitives';

export const publisherSchema = z.object({
  id: optStr,
  name: optStr,
  cattax: optInt,
  cat: optStrArr,
  domain: optStr,
  ext: optExt,
});

const producerSchema = publisherSchema;

const segmentSchema = z.object({ id: optStr, name: optStr, value: optStr, ext: optExt });

export const dataSchema = z.object({
  id: optStr,
  name: optStr,
  cids: optStrArr,
  segment: z.array(segmentSchema).optional(),
  ext: optExt,
});

const networkSchema = z.object({ id: optStr, name: optStr, domain: optStr, ext: optExt });
const channelSchema = networkSchema;

export const contentSchema = z.object({
  id: optStr,
  episode: optNonNegInt,
  title: optStr,
  series: optStr,
  season: optStr,
  artist: optStr,
  genre: optStr,
  gtax: optInt,
  genres: optStrArr,
  album: optStr,
  isrc: optStr,
  producer: producerSchema.optional(),
  url: optStr,
  cattax: optInt,
  cat: optStrArr,
  prodq: optInt,
  /** Pre-2.4 name of `prodq`. */
  videoquality: optInt,
  context: optInt,
  contentrating: optStr,
  userrating: optStr,
  qagmediarating: optInt,
  keywords: optStr,
  kwarray: optStrArr,
  livestream: optInt,
  sourcerelationship: optInt,
  len: optNonNegInt,
  language: optStr,
  langb: optStr,
  embeddable: optInt,
  data: z.array(dataSchema).optional(),
  network: networkSchema.optional(),
  channel: channelSchema.optional(),
  realtime: optInt,
  firstbroadcast: optInt,
  ext: optExt,
});

/** Fields Site and App share, in spec order. */
const inventory = {
  id: optStr,
  name: optStr,
  domain: optStr,
  cattax: optInt,
  cat: optStrArr,
  sectioncat: optStrArr,
  pagecat: optStrArr,
  privacypolicy: optInt,
  publisher: publisherSchema.optional(),
  content: contentSchema.optional(),
  keywords: optStr,
  kwarray: optStrArr,
  inventorypartnerdomain: optStr,
  ext: optExt,
};

export const siteSchema = z.object({
  ...inventory,
  page: optStr,
  ref: optStr,
  search: optStr,
  mobile: optInt,
});

export const appSchema = z.object({
  ...inventory,
  bundle: optStr,
  storeurl: optStr,
  ver: optStr,
  paid: optInt,
});

export const doohSchema = z.object({
  id: optStr,
  name: optStr,
  venuetype: optStrArr,
  venuetypetax: optInt,
  publisher: publisherSchema.optional(),
  domain: optStr,
  keywords: optStr,
  content: contentSchema.optional(),
  ext: optExt,
});

/** Latitude/longitude are only type-checked: real exchanges send out-of-range placeholders. */
export const geoSchema = z.object({
  lat: optNum,
  lon: optNum,
  type: optInt,
  accuracy: optNonNegInt,
  lastfix: optNonNegInt,
  ipservice: optInt,
  country: optStr,
  region: optStr,
  regionfips104: optStr,
  metro: optStr,
  city: optStr,
  zip: optStr,
  utcoffset: optInt,
  ext: optExt,
});

const brandVersionSchema = z.object({ brand: str, version: optStrArr, ext: optExt });

const userAgentSchema = z.object({
  browsers: z.array(brandVersionSchema).optional(),
  platform: brandVersionSchema.optional(),
  mobile: optInt,
  architecture: optStr,
  bitness: optStr,
  model: optStr,
  source: optInt,
  ext: optExt,
});

export const deviceSchema = z.object({
  geo: geoSchema.optional(),
  dnt: optInt,
  lmt: optInt,
  ua: optStr,
  sua: userAgentSchema.optional(),
  ip: optStr,
  ipv6: optStr,
  devicetype: optInt,
  make: optStr,
  model: optStr,
  os: optStr,
  osv: optStr,
  hwv: optStr,
  h: optNonNegInt,
  w: optNonNegInt,
  ppi: optNonNegInt,
  pxratio: optNonNegNum,
  js: optInt,
  geofetch: optInt,
  flashver: optStr,
  language: optStr,
  langb: optStr,
  carrier: optStr,
  mccmnc: optStr,
  connectiontype: optInt,
  ifa: optStr,
  didsha1: optStr,
  didmd5: optStr,
  dpidsha1: optStr,
  dpidmd5: optStr,
  macsha1: optStr,
  macmd5: optStr,
  ext: optExt,
});

const uidSchema = z.object({ id: optStr, atype: optInt, ext: optExt });

const eidSchema = z.object({
  inserter: optStr,
  source: optStr,
  matcher: optStr,
  mm: optInt,
  uids: z.array(uidSchema).optional(),
  ext: optExt,
});

export const userSchema = z.object({
  id: optStr,
  buyeruid: optStr,
  yob: optInt,
  gender: optStr,
  keywords: optStr,
  kwarray: optStrArr,
  customdata: optStr,
  geo: geoSchema.optional(),
  data: z.array(dataSchema).optional(),
  consent: optStr,
  eids: z.array(eidSchema).optional(),
  /** 2.5 put the TCF string in `user.ext.consent`; other keys pass through untyped. */
  ext: z.looseObject({ consent: optStr }).optional(),
});

/** `gdpr` and `coppa` decide what we may do with the user, so only 0 and 1 are accepted. */
export const regsSchema = z.object({
  coppa: optFlag,
  gdpr: optFlag,
  us_privacy: optStr,
  gpp: optStr,
  gpp_sid: optIntArr,
  /** 2.5 spellings, as sent before 2.6 promoted them. */
  ext: z.looseObject({ gdpr: flag.optional(), us_privacy: optStr, gpp: optStr, gpp_sid: optIntArr }).optional(),
});

const supplyChainNodeSchema = z.object({
  asi: str,
  sid: str,
  rid: optStr,
  name: optStr,
  domain: optStr,
  hp: optInt,
  ext: optExt,
});

export const supplyChainSchema = z.object({
  complete: nonNegInt,
  nodes: z.array(supplyChainNodeSchema),
  ver: str,
  ext: optExt,
});

export const sourceSchema = z.object({
  fd: optInt,
  tid: optStr,
  pchain: optStr,
  schain: supplyChainSchema.optional(),
  /** 2.5 spelling of `schain`. */
  ext: z.looseObject({ schain: supplyChainSchema.optional() }).optional(),
});

export type Site = z.infer<typeof siteSchema>;
export type App = z.infer<typeof appSchema>;
export type Device = z.infer<typeof deviceSchema>;
export type User = z.infer<typeof userSchema>;
export type Regs = z.infer<typeof regsSchema>;
