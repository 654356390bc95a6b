// What the load test feeds the worker: a catalog of realistic size, a population of users whose
// profiles are built by their events, and OpenRTB requests shaped like an exchange's traffic.
//
// Catalog: the engine's synthetic generator (src/core/engine/synthetic.ts, the same catalogs
// scripts/bench-engine.mjs times) with its own segment rules (`seg-<i>`: two product views in
// category `category-<i>` within 7 days; `purchasers-<i>`: a recent purchase), which the users'
// events below really trigger; plus one probe line item (its own advertiser, only on
// PROBE.domain) that bids only for a user in the probe advertiser's cart segment — how the harness
// sees that the queue consumer has applied a user's events. Validated here with the worker's own
// parseCatalog before it is published.
//
// Requests: banner / video / native / multi-imp, site and app inventory, with and without consent
// signals, known (seeded), unknown and id-less users, over the catalog's vocabulary (countries,
// sizes, domains, bundles). Each body is a pre-serialised template with two slots (request id,
// user id) filled per request, so generating load costs the load generator almost nothing.
import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';

export const PROBE = {
  advertiserId: 'adv-loadtest-probe',
  campaignId: 'cmp-loadtest-probe',
  lineItemId: 'li-loadtest-probe',
  creativeId: 'cr-loadtest-probe',
  domain: 'probe.loadtest.example',
  segment: 'lt_probe_cart',
};

const COUNTRIES = (
  'USA GBR DEU FRA CAN JPN BRA IND AUS ITA ESP MEX NLD KOR SWE POL TUR CHE BEL ARG ' +
  'AUT NOR DNK FIN IRL PRT CZE GRC HUN ROU ISR ZAF NZL SGP MYS THA IDN PHL VNM CHL'
).split(' ');
const SIZES = [[300, 250], [728, 90], [320, 50], [160, 600], [300, 600], [970, 250], [336, 280], [468, 60], [320, 100], [300, 50]];
const DEVICE_TYPES = [2, 4, 5, 3, 1, 6, 7];
const OSES = ['android', 'ios', 'windows', 'macos', 'linux', 'tvos'];
const KEYWORDS = ['sports', 'news', 'travel', 'finance', 'tech', 'cars', 'food', 'health', 'music', 'games', 'fashion', 'home'];
const TMAX_MS = [100, 120, 150, 200, 300];

export const RID_SLOT = '__LT_RID__';
export const UID_SLOT = '__LT_UID__';

// ---------------------------------------------------------------------------------------------
// Randomness: the generator's own seeded rng, and a zipf picker (a few values common, most rare).

function zipf(n, s = 1) {
  const cumulative = [];
  let total = 0;
  for (let i = 0; i < n; i++) cumulative.push((total += 1 / Math.pow(i + 1, s)));
  return (rng) => {
    const x = rng() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
const int = (rng, min, max) => min + Math.floor(rng() * (max - min + 1));
const pick = (rng, list) => list[Math.floor(rng() * list.length)];
const countryRank = zipf(COUNTRIES.length, 1.1);
const sizeRank = zipf(SIZES.length, 1);
const domainRank = zipf(2_000, 1);
const bundleRank = zipf(500, 1);
const categoryRank = zipf(50, 1);

// ---------------------------------------------------------------------------------------------
// Catalog

/**
 * @returns {{ doc: object, json: string, advertiserIds: string[], lineItems: number, bytes: number }}
 */
export function loadtestCatalog(core, lineItems, seed) {
  const base = core.syntheticCatalog(lineItems, core.seededRng(seed));
  const probeRule = { id: PROBE.segment, advertiserId: PROBE.advertiserId, when: { last: { type: 'add_to_cart' }, within: '7d' } };
  const doc = { ...base, segmentRules: [...(base.segmentRules ?? core.SEED_SEGMENT_RULES), probeRule] };
  const template = doc.creatives.find((c) => c.format === 'banner');
  const campaignTemplate = doc.campaigns[0];
  const lineTemplate = doc.lineItems[0];
  if (!template || !campaignTemplate || !lineTemplate) throw new Error('synthetic catalog has no banner creative, campaign or line item');
  doc.advertisers.push({ id: PROBE.advertiserId, name: 'Load test probe', domains: ['probe.loadtest.example'], categories: ['IAB1'] });
  doc.campaigns.push({ ...campaignTemplate, id: PROBE.campaignId, advertiserId: PROBE.advertiserId, name: 'Load test probe', holdoutPct: 0 });
  doc.creatives.push({ ...template, id: PROBE.creativeId, advertiserId: PROBE.advertiserId, w: 300, h: 250, markup: '<a href="${CLICK_URL}">probe</a>' });
  doc.lineItems.push({
    ...lineTemplate,
    id: PROBE.lineItemId,
    campaignId: PROBE.campaignId,
    name: 'Load test probe: cart abandoners of the probe advertiser, probe site only',
    status: 'active',
    targeting: { all: [{ segment: PROBE.segment }, { site: { domain: [PROBE.domain] } }] },
    baseCpmMicros: 50_000_000,
    maxCpmMicros: 50_000_000,
    adjustments: [],
    frequencyCaps: [],
    creativeIds: [PROBE.creativeId],
    priority: 100,
  });
  const parsed = core.parseCatalog(JSON.parse(JSON.stringify(doc)));
  if (!parsed.ok) {
    const first = parsed.issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new Error(`the generated catalog does not validate (${parsed.issues.length} issues; ${first})`);
  }
  const json = JSON.stringify(doc);
  return { doc, json, advertiserIds: base.advertisers.map((a) => a.id), lineItems: doc.lineItems.length, bytes: Buffer.byteLength(json) };
}

// ---------------------------------------------------------------------------------------------
// Population: users and the events that build their profiles

/**
 * Every user touches one or two advertisers: one to five product views, mostly in one or two
 * categories (`category-<i>`, a few common, most rare: two views in one category make a `seg-<i>`
 * member), a cart add for about 40 %, a purchase for about 15 %. Probe users additionally put
 * something in the probe advertiser's cart, so a bid on the probe site shows their events were
 * applied.
 * @returns {{ userIds: string[], probeUserIds: string[], batches: object[][], events: number }}
 */
export function population({ users, advertiserIds, runTag, seedRng, nowMs, batchSize = 500, probes = 20 }) {
  const rng = seedRng;
  const advRank = zipf(advertiserIds.length, 1);
  const userIds = Array.from({ length: users }, (_, i) => `lt-user-${runTag}-${i}`);
  const probeEvery = Math.max(1, Math.floor(users / probes));
  const probeUserIds = [];
  const events = [];
  let n = 0;
  // Never later than a second ago: the events API refuses the future.
  const ev = (userKey, type, tsMs, extra) => events.push({ id: `lt-${runTag}-${n++}`, type, userKey, ts: Math.min(tsMs, nowMs - 1_000), ...extra });
  userIds.forEach((userKey, i) => {
    const touches = rng() < 0.3 ? 2 : 1;
    for (let t = 0; t < touches; t++) {
      const advertiserId = advertiserIds[advRank(rng)];
      let ts = nowMs - int(rng, 60_000, 3 * 86_400_000);
      const categories = [`category-${categoryRank(rng)}`, `category-${categoryRank(rng)}`];
      for (let v = int(rng, 1, 5); v > 0; v--) {
        ev(userKey, 'product_view', ts, { advertiserId, productId: `p-${int(rng, 1, 500)}`, category: categories[rng() < 0.7 ? 0 : 1] });
        ts += int(rng, 1_000, 600_000);
      }
      if (rng() < 0.4) {
        ev(userKey, 'add_to_cart', ts, { advertiserId, productId: `p-${int(rng, 1, 500)}`, productName: 'Synthetic product', value: int(rng, 10, 400) });
        ts += int(rng, 1_000, 600_000);
      }
      if (rng() < 0.15) ev(userKey, 'purchase', ts, { advertiserId, value: int(rng, 20, 900) });
    }
    // The last user of each stride is a probe: its cart add is the last event it gets.
    if ((i + 1) % probeEvery === 0 && probeUserIds.length < probes) {
      probeUserIds.push(userKey);
      ev(userKey, 'add_to_cart', nowMs - 1_000, { advertiserId: PROBE.advertiserId, productId: 'probe' });
    }
  });
  const batches = [];
  for (let i = 0; i < events.length; i += batchSize) batches.push(events.slice(i, i + batchSize));
  return { userIds, probeUserIds, batches, events: events.length };
}

// ---------------------------------------------------------------------------------------------
// Consent strings: built by the IAB's own encoder

function testGvl(vendorId) {
  const named = (ids) => Object.fromEntries(ids.map((id) => [String(id), { id, name: `item ${id}`, description: '' }]));
  return new GVL({
    gvlSpecificationVersion: 3,
    vendorListVersion: 1,
    tcfPolicyVersion: 5,
    lastUpdated: '2026-01-01T00:00:00Z',
    purposes: named([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    specialPurposes: named([1, 2, 3]),
    features: named([1, 2, 3]),
    specialFeatures: named([1, 2]),
    stacks: {},
    vendors: {
      [String(vendorId)]: {
        id: vendorId,
        name: 'edgebid (load test)',
        purposes: [1, 2, 3, 4],
        legIntPurposes: [],
        flexiblePurposes: [],
        specialPurposes: [],
        features: [],
        specialFeatures: [],
        policyUrl: 'https://edgebid.example/privacy',
      },
    },
  });
}

/**
 * A TC string granting purposes 1-4 and `vendorId` (or, with `granted` false, refusing both). A
 * worker without a vendor id (`TCF_VENDOR_ID=0`) can be granted nothing: vendor 1 stands in.
 */
export function tcString(requestedVendorId, granted) {
  const vendorId = Number.isInteger(requestedVendorId) && requestedVendorId >= 1 && requestedVendorId <= 65_535 ? requestedVendorId : 1;
  const m = new TCModel(testGvl(vendorId));
  m.cmpId = 10;
  m.cmpVersion = 1;
  if (granted) {
    m.purposeConsents.set([1, 2, 3, 4]);
    m.vendorConsents.set(vendorId);
  }
  return TCString.encode(m);
}

// ---------------------------------------------------------------------------------------------
// Requests

/**
 * The traffic mix. `user`: known = a seeded user, unknown = a fresh id per request (a profile
 * object that has never been written), none = no id at all. `consent`: none = no regs (US
 * traffic), gdpr = GDPR applies with a TC string granting purposes 1-4 and our vendor,
 * gdpr-refused = GDPR with a string granting nothing, usp-optout = US Privacy "1YYN", coppa, lmt.
 */
export const FLAVOURS = [
  { name: 'banner-known', weight: 22, media: 'banner', imps: 1, user: 'known', consent: 'none' },
  { name: 'banner-unknown', weight: 14, media: 'banner', imps: 1, user: 'unknown', consent: 'none' },
  { name: 'banner-no-id', weight: 8, media: 'banner', imps: 1, user: 'none', consent: 'none' },
  { name: 'app-banner-known', weight: 8, media: 'banner', imps: 1, user: 'known', consent: 'none', app: true },
  { name: 'video', weight: 10, media: 'video', imps: 1, user: 'known', consent: 'none' },
  { name: 'native', weight: 8, media: 'native', imps: 1, user: 'known', consent: 'none' },
  { name: 'multi-imp', weight: 10, media: 'banner', imps: 3, user: 'known', consent: 'none' },
  { name: 'gdpr-consent', weight: 12, media: 'banner', imps: 1, user: 'known', consent: 'gdpr' },
  { name: 'gdpr-refused', weight: 3, media: 'banner', imps: 1, user: 'known', consent: 'gdpr-refused' },
  { name: 'usp-optout', weight: 2, media: 'banner', imps: 1, user: 'known', consent: 'usp-optout' },
  { name: 'coppa', weight: 1, media: 'banner', imps: 1, user: 'known', consent: 'coppa' },
  { name: 'lmt', weight: 2, media: 'banner', imps: 1, user: 'known', consent: 'lmt', app: true },
];

function imp(rng, media, i) {
  const floor = Math.round(200 * rng() * rng()) / 100;
  const base = { id: String(i + 1), bidfloor: floor, bidfloorcur: 'USD', tagid: `slot-${i + 1}` };
  if (media === 'video') return { ...base, video: { mimes: ['video/mp4'], protocols: [2, 3], minduration: 5, maxduration: 30, w: 640, h: 360 } };
  if (media === 'native') {
    return { ...base, native: { ver: '1.2', request: JSON.stringify({ ver: '1.2', assets: [{ id: 1, required: 1, title: { len: 90 } }] }) } };
  }
  const sizes = [...new Set(Array.from({ length: int(rng, 1, 2) }, () => sizeRank(rng)))].map((s) => SIZES[s]);
  const [w, h] = sizes[0];
  const withExt = rng() < 0.3 ? { ext: { data: { pos: rng() < 0.5 ? 'atf' : 'btf' } } } : {};
  return { ...base, banner: { w, h, format: sizes.map(([fw, fh]) => ({ w: fw, h: fh })) }, ...withExt };
}

/** One request body template with RID_SLOT / UID_SLOT, and its tmax. */
function template(rng, flavour, tc) {
  const country = COUNTRIES[countryRank(rng)];
  const cat = `IAB${int(rng, 1, 26)}`;
  const publisher = { id: `pub-${int(rng, 0, 300)}` };
  const keywords = Array.from({ length: int(rng, 0, 3) }, () => pick(rng, KEYWORDS)).join(',');
  const inventory = flavour.app
    ? { app: { id: `app-${int(rng, 1, 900)}`, bundle: `com.publisher${bundleRank(rng)}.app`, cat: [cat], publisher, ...(keywords ? { keywords } : {}) } }
    : (() => {
        const domain = `site${domainRank(rng)}.example`;
        return { site: { id: `site-${int(rng, 1, 900)}`, domain, page: `https://${domain}/article-${int(rng, 1, 9999)}`, cat: [cat], publisher, ...(keywords ? { keywords } : {}) } };
      })();
  const devicetype = DEVICE_TYPES[Math.min(DEVICE_TYPES.length - 1, Math.floor(-Math.log(1 - rng() * 0.999) * 1.2))];
  const os = devicetype === 2 ? pick(rng, OSES.slice(2, 5)) : pick(rng, OSES.slice(0, 2));
  const device = {
    ua: 'Mozilla/5.0 (load test)',
    devicetype,
    os,
    geo: { country, region: `${country}-${int(rng, 1, 9)}` },
    ...(flavour.consent === 'lmt' ? { lmt: 1 } : {}),
  };
  const user = {
    ...(flavour.user === 'none' ? {} : { buyeruid: UID_SLOT }),
    ...(flavour.consent === 'gdpr' ? { consent: tc.granted } : flavour.consent === 'gdpr-refused' ? { consent: tc.refused } : {}),
  };
  const regs =
    flavour.consent === 'gdpr' || flavour.consent === 'gdpr-refused'
      ? { gdpr: 1 }
      : flavour.consent === 'usp-optout'
        ? { us_privacy: '1YYN' }
        : flavour.consent === 'coppa'
          ? { coppa: 1 }
          : undefined;
  const tmax = pick(rng, TMAX_MS);
  const body = {
    id: RID_SLOT,
    imp: Array.from({ length: flavour.imps }, (_, i) => imp(rng, flavour.media, i)),
    ...inventory,
    device,
    ...(Object.keys(user).length > 0 ? { user } : {}),
    ...(regs ? { regs } : {}),
    ...(rng() < 0.3 ? { bcat: [`IAB${int(rng, 1, 26)}`] } : {}),
    tmax,
    cur: ['USD'],
  };
  return { parts: JSON.stringify(body).split(/(__LT_RID__|__LT_UID__)/), tmax };
}

/**
 * Pre-generated templates per flavour; `next(flavourName | null)` draws one request of that
 * flavour (or of the weighted mix) and returns { body, tmax, flavour, userKind }.
 */
export function requestFactory({ seedRng, knownUserIds, runTag, vendorId, perFlavour = 200, timingEvery = 0 }) {
  const rng = seedRng;
  const tc = { granted: tcString(vendorId, true), refused: tcString(vendorId, false) };
  const byName = new Map(FLAVOURS.map((f) => [f.name, { flavour: f, templates: Array.from({ length: perFlavour }, () => template(rng, f, tc)) }]));
  const totalWeight = FLAVOURS.reduce((a, f) => a + f.weight, 0);
  let rid = 0;
  let unknown = 0;
  const drawFlavour = () => {
    let x = Math.random() * totalWeight;
    for (const f of FLAVOURS) if ((x -= f.weight) < 0) return f.name;
    return FLAVOURS[0].name;
  };
  return {
    tc,
    flavours: FLAVOURS.map((f) => f.name),
    /** @param {string | null} name */
    next(name) {
      const entry = byName.get(name ?? drawFlavour());
      if (!entry) throw new Error(`no such request flavour ${name}`);
      const t = entry.templates[Math.floor(Math.random() * entry.templates.length)];
      const uid =
        entry.flavour.user === 'known'
          ? knownUserIds[Math.floor(Math.random() * knownUserIds.length)]
          : entry.flavour.user === 'unknown'
            ? `lt-new-${runTag}-${unknown++}-${Math.floor(Math.random() * 1e9)}`
            : '';
      const id = `lt-${rid++}`;
      let body = '';
      for (const p of t.parts) body += p === RID_SLOT ? id : p === UID_SLOT ? uid : p;
      const timing = timingEvery > 0 && rid % timingEvery === 0;
      return { body, tmax: t.tmax, flavour: entry.flavour.name, timing };
    },
  };
}

/** A bid on the probe site for `userKey`: answered by the probe line item once the user's events are applied. */
export function probeRequest(userKey) {
  return JSON.stringify({
    id: `lt-probe-${userKey}`,
    imp: [{ id: '1', banner: { w: 300, h: 250, format: [{ w: 300, h: 250 }] }, bidfloor: 0.1 }],
    site: { id: 'probe', domain: PROBE.domain, page: `https://${PROBE.domain}/`, publisher: { id: 'pub-probe' } },
    device: { ua: 'Mozilla/5.0 (load test)', devicetype: 2, geo: { country: 'USA' } },
    user: { buyeruid: userKey },
    tmax: 1000,
    cur: ['USD'],
  });
}
