// What the fuzzer sends to each public endpoint: fast-check arbitraries of whole requests
// ({ path, method, body, auth, expect, generator }), built from our own fixtures, the shared
// OpenRTB corpus and tokens the worker itself issued. `auth` is 'ok' (the endpoint's credential),
// or 'bogus' (a wrong or malformed one: the answer must be 401).
import fc from 'fast-check';
import { byteMutations, CANARY, damage, deepText, hostileString, mutate, mutationOps, randomBytes, smallHostile } from './fuzz-values.mjs';

const EVENT_TYPES = ['page_view', 'product_view', 'add_to_cart', 'purchase', 'conversion'];
const KiB = 1024;
/** The endpoints' body caps (src/http/config.ts). */
export const BODY_CAPS = { '/openrtb2/bid': 256 * KiB, '/v1/events': 512 * KiB, '/v1/decisions': 64 * KiB };

const bogusAuth = fc.constantFrom('none', 'wrong', 'basic', 'empty-bearer', 'long');

function post(path, body, generator, extra = {}) {
  return { method: 'POST', path, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), generator, auth: 'ok', ...extra };
}

/** Pads a JSON object document with a filler field to exactly `bytes` bytes (or as near as it gets). */
function padTo(doc, bytes) {
  const base = JSON.stringify({ ...doc, zzpad: '' });
  return base.replace('"zzpad":""', `"zzpad":"${'p'.repeat(Math.max(0, bytes - base.length))}"`);
}

/** Generators shared by every JSON endpoint, from that endpoint's seed documents. */
function jsonEndpoint(path, seeds, validish) {
  const seed = fc.constantFrom(...seeds);
  const cap = BODY_CAPS[path];
  return fc.oneof(
    { weight: 30, arbitrary: fc.tuple(seed, mutationOps).map(([d, ops]) => post(path, mutate(d, ops), 'mutated')) },
    { weight: 14, arbitrary: fc.tuple(seed, byteMutations).map(([d, ops]) => post(path, damage(JSON.stringify(d), ops), 'bytes-damaged')) },
    { weight: 16, arbitrary: validish.map((d) => post(path, d, 'validish')) },
    { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => post(path, v, 'random-json')) },
    { weight: 4, arbitrary: randomBytes.map((b) => post(path, b, 'random-bytes')) },
    { weight: 2, arbitrary: deepText.map((t) => post(path, t, 'deep-nesting')) },
    { weight: 6, arbitrary: fc.tuple(seed, smallHostile).map(([d, v]) => post(path, allFieldsAre(d, v), 'wrong-types')) },
    {
      weight: 1,
      arbitrary: fc.tuple(seed, fc.integer({ min: -64, max: 64 })).map(([d, delta]) => post(path, padTo(d, cap + delta), 'near-cap')),
    },
    { weight: 3, arbitrary: fc.tuple(seed, bogusAuth).map(([d, how]) => post(path, d, 'bogus-auth', { auth: how })) },
  );
}

/** Every leaf of `doc` replaced by `value`: wrong types everywhere at once. */
function allFieldsAre(doc, value) {
  if (Array.isArray(doc)) return doc.map((x) => allFieldsAre(x, value));
  if (doc && typeof doc === 'object') return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, allFieldsAre(v, value)]));
  return value;
}

// ---------------------------------------------------------------------------------------------
// POST /openrtb2/bid

const userId = fc.oneof(fc.uuid(), fc.constantFrom('0', 'null', 'unknown', '000000', 'aaaaaaa', CANARY), hostileString);

/** A seed request with a fresh user and consent signals, most of it still valid. */
function validishBid(seeds) {
  return fc
    .record({
      seed: fc.constantFrom(...seeds),
      buyeruid: fc.option(userId),
      ifa: fc.option(fc.oneof(fc.uuid(), hostileString)),
      regs: fc.option(
        fc.record(
          {
            coppa: fc.constantFrom(0, 1),
            gdpr: fc.constantFrom(0, 1),
            us_privacy: fc.constantFrom('1YYN', '1NNN', '1---', '1Y', ''),
            gpp: fc.constantFrom('DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA', 'DBABzw~1YNN~BVVqAAEABCA.QA', 'garbage', ''),
            gpp_sid: fc.array(fc.integer({ min: -1, max: 20 }), { maxLength: 4 }),
          },
          { requiredKeys: [] },
        ),
      ),
      consent: fc.option(fc.oneof(fc.constantFrom('CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA', ''), hostileString)),
      tmax: fc.option(fc.oneof(fc.integer({ min: 0, max: 5_000 }), smallHostile)),
    })
    .map(({ seed, buyeruid, ifa, regs, consent, tmax }) => {
      const d = structuredClone(seed);
      if (d && typeof d === 'object' && !Array.isArray(d)) {
        if (buyeruid !== null || consent !== null) d.user = { ...(d.user ?? {}), ...(buyeruid !== null ? { buyeruid } : {}), ...(consent !== null ? { consent } : {}) };
        if (ifa !== null) d.device = { ...(d.device ?? {}), ifa };
        if (regs !== null) d.regs = regs;
        if (tmax !== null) d.tmax = tmax;
      }
      return d;
    });
}

export function bidTarget(seeds) {
  return jsonEndpoint('/openrtb2/bid', seeds, validishBid(seeds));
}

// ---------------------------------------------------------------------------------------------
// POST /v1/decisions

const size = fc.oneof(
  fc.constantFrom('300x250', '728x90', '320x50', '160x600', '300x600', '970x250', '1x1', '0x0', '300X250', ' 300x250'),
  fc.record({ w: fc.oneof(fc.integer({ min: -5, max: 2_000 }), smallHostile), h: fc.oneof(fc.integer({ min: -5, max: 2_000 }), smallHostile) }),
);

const decisionRequest = fc.record(
  {
    userKey: userId,
    placements: fc.array(
      fc.record(
        { id: fc.oneof(fc.constantFrom('top-banner', 'sidebar', 'p1'), hostileString), sizes: fc.array(size, { maxLength: 22 }), floorCpm: smallHostile },
        { requiredKeys: ['id', 'sizes'] },
      ),
      { maxLength: 22 },
    ),
    currency: fc.oneof(fc.constantFrom('USD', 'EUR', 'usd', 'XXX'), hostileString),
    site: fc.record({ domain: fc.oneof(fc.constant('news.example'), hostileString), page: hostileString }, { requiredKeys: [] }),
    consent: fc.record(
      {
        gdprApplies: fc.oneof(fc.boolean(), smallHostile),
        tcString: hostileString,
        usPrivacy: fc.oneof(fc.constantFrom('1YYN', '1NNN', '1---'), hostileString),
        gpp: hostileString,
        gppSid: fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 40 }),
        coppa: fc.oneof(fc.boolean(), smallHostile),
      },
      { requiredKeys: [] },
    ),
    blockedCategories: fc.array(hostileString, { maxLength: 10 }),
    blockedDomains: fc.array(hostileString, { maxLength: 10 }),
    timeoutMs: fc.oneof(fc.integer({ min: -1, max: 20_000 }), smallHostile),
    explain: fc.oneof(fc.boolean(), smallHostile),
  },
  { requiredKeys: ['placements'] },
);

export function decisionsTarget(seeds) {
  const validish = fc.oneof(decisionRequest, fc.tuple(fc.constantFrom(...seeds), userId).map(([d, u]) => ({ ...d, userKey: u })));
  return jsonEndpoint('/v1/decisions', seeds, validish);
}

// ---------------------------------------------------------------------------------------------
// POST /v1/events

/** `good` nearly always, `bad` now and then: about half the batches stay valid and reach the queue. */
const mostly = (good, bad) => fc.oneof({ weight: 40, arbitrary: good }, { weight: 1, arbitrary: bad });

function eventArb(nowMs) {
  return fc.record(
    {
      id: mostly(fc.uuid().map((u) => `fz-${u}`), hostileString),
      type: mostly(fc.constantFrom(...EVENT_TYPES), hostileString),
      userKey: mostly(fc.uuid().map((u) => `fz-user-${u.slice(0, 8)}`), userId),
      userKeyType: mostly(fc.constantFrom('uid', 'ifa'), fc.constantFrom('xid', 'UID', '', 'email')),
      ts: mostly(
        fc.oneof(
          fc.integer({ min: nowMs - 29 * 86_400_000, max: nowMs }),
          fc.integer({ min: nowMs - 29 * 86_400_000, max: nowMs }).map((t) => new Date(t).toISOString()),
        ),
        fc.oneof(fc.constantFrom('2026-13-45T99:99:99Z', 'yesterday', '', 0, -1, 8.64e15 + 1, nowMs + 3_600_000), smallHostile),
      ),
      advertiserId: mostly(fc.constantFrom('adv-acme', 'adv-nimbus', 'adv-unknown'), hostileString),
      productId: mostly(fc.constantFrom('tent-2p', 'boots-1', 'p-9'), hostileString),
      productName: mostly(fc.string({ unit: 'grapheme', maxLength: 30 }), hostileString),
      category: mostly(fc.constantFrom('outdoor', 'shoes'), hostileString),
      value: mostly(fc.double({ min: 0, max: 10_000, noNaN: true }), smallHostile),
    },
    { requiredKeys: ['id', 'type', 'userKey', 'ts'] },
  );
}

export function eventsTarget(nowMs) {
  const batch = fc.array(eventArb(nowMs), { minLength: 1, maxLength: 5 }).map((events) => ({ events }));
  const seeds = fc.sample(batch, { numRuns: 40, seed: 42 });
  const validish = fc.oneof(
    { weight: 20, arbitrary: batch },
    { weight: 1, arbitrary: fc.array(eventArb(nowMs), { minLength: 480, maxLength: 520 }).map((events) => ({ events: events.slice(0, 1).concat(events.slice(1).map((e, i) => ({ ...e, id: `${e.id}-${i}` }))) })) },
  );
  return jsonEndpoint('/v1/events', seeds, validish);
}

// ---------------------------------------------------------------------------------------------
// GET /v1/t/:token

const tokenChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~');

/** Raw request-target text after /v1/t/ (Node sends bytes 0x21–0xff as they are). */
const rawSegment = fc.oneof(
  fc.string({ unit: tokenChar, maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('%', '%0', '%zz', '%00', '%ff%fe', '%c0%af', '..', '.', '%2e%2e', 'a%2Fb', '%25', 'a.b.c.d', `${'A'.repeat(8_000)}.sig`, '%ED%A0%80'),
);

function mutateToken(token, ops) {
  let t = token;
  for (const op of ops) {
    const at = t.length === 0 ? 0 : op.at % t.length;
    switch (op.kind) {
      case 'flip':
        t = t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
        break;
      case 'cut':
        t = t.slice(0, at);
        break;
      case 'add':
        t = t.slice(0, at) + op.text + t.slice(at);
        break;
      case 'swap': {
        const [payload, sig] = t.split('.');
        t = `${sig ?? ''}.${payload ?? ''}`;
        break;
      }
    }
  }
  return t;
}

export function trackingTarget(tokens) {
  const get = (segment, generator, extra = {}) => ({ method: 'GET', path: `/v1/t/${segment}`, body: undefined, generator, auth: 'ok', ...extra });
  const issued = tokens.length > 0 ? fc.constantFrom(...tokens) : fc.constant('eyJrIjoiaW1wIn0.c2ln');
  const tokenOps = fc.array(
    fc.record({ kind: fc.constantFrom('flip', 'cut', 'add', 'swap'), at: fc.nat(), text: fc.string({ unit: tokenChar, maxLength: 8 }) }),
    { minLength: 1, maxLength: 3 },
  );
  return fc.oneof(
    { weight: 30, arbitrary: fc.tuple(issued, tokenOps).map(([t, ops]) => get(mutateToken(t, ops), 'mutated-token')) },
    { weight: 8, arbitrary: issued.map((t) => get(t, 'issued-token')) },
    { weight: 25, arbitrary: rawSegment.map((s) => get(s, 'random-token')) },
    {
      weight: 10,
      arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: tokenChar, maxLength: 43 })).map(([v, sig]) =>
        get(`${Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')}.${sig}`, 'forged-payload'),
      ),
    },
    { weight: 2, arbitrary: fc.tuple(issued, fc.constantFrom('POST', 'PUT', 'DELETE')).map(([t, m]) => ({ ...get(t, 'wrong-method'), method: m })) },
  );
}
