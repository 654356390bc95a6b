/**
 * OpenRTB Native 1.x request payloads (`imp.native.request`), validated the way Prebid Server
 * validates them, with three deliberate departures the corpus forces on a generic bidder.
 *
 * Two input forms:
 * - strict: the spec's form, a JSON string. Checked like Prebid Server: non-empty assets with
 *   unique ids (all ids may be omitted), exactly one of title/img/video/data per asset, `title.len`
 *   >= 1, img sizes >= 0, video assets with mimes/minduration/maxduration/protocols, data `type`
 *   in range, context/contextsubtype/plcmttype in range and compatible, eventtrackers well formed.
 * - legacy: an inline object (OpenRTB 3 converter, google/openrtb fixtures). Prebid rejects that
 *   form outright, so it follows the converter's rules instead: every asset needs an `id`; an asset
 *   may carry several types; video assets need only `mimes`; context values are only type-checked.
 * Both forms may use the Native 1.0 wrapper `{"native": {...}}`.
 *
 * Departures from Prebid (each is needed to accept requests in the valid corpus, and none of them
 * lets a request through that we could then mis-serve: the engine simply cannot fill the imp):
 * - a payload with no `assets` key is accepted when the sender declares a Native version (`ver`
 *   in the payload or `imp.native.ver`): library "short" requests such as
 *   `{"ver":"1","layout":2,"adunit":4}`, and `"{}"` with `native.ver` from adapter fixtures.
 *   A version-less shell (`{}`, `{"native":{}}`) is still an error, as in Prebid and the
 *   converter; so is an `assets` key that is not a non-empty array;
 * - a non-empty string that is not JSON is accepted as opaque (spec examples elide the payload);
 * - video protocols 11–14 (VAST 4.1/4.2, added to AdCOM after Prebid's check) are allowed.
 *
 * Pure: no I/O, no clock. Messages never contain values from the payload.
 */
import { isJsonObject } from './primitives';

export type NativePath = (string | number)[];

export interface NativeIssue {
  /** Relative to `imp[i].native.request`. */
  readonly path: NativePath;
  readonly message: string;
}

/** Native 1.2 reserves 500+ for exchange-specific values in every enumerated list. */
const EXCHANGE_SPECIFIC = 500;
const ASSET_TYPES = ['title', 'img', 'video', 'data'] as const;
const REQUEST_INTS = ['context', 'contextsubtype', 'plcmttype', 'plcmtcnt', 'seq', 'layout', 'adunit', 'aurlsupport', 'durlsupport', 'privacy'] as const;

type Obj = Record<string, unknown>;
type Add = (path: NativePath, message: string) => void;

function inList(v: number, lo: number, hi: number): boolean {
  return (v >= lo && v <= hi) || v >= EXCHANGE_SPECIFIC;
}

/** Reads an optional integer field; reports a wrong type, a missing required value, a value < min. */
function intAt(o: Obj, key: string, path: NativePath, add: Add, required = false, min?: number): number | undefined {
  const v = o[key];
  if (v === undefined) {
    if (required) add([...path, key], 'is required');
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    add([...path, key], 'expected integer');
    return undefined;
  }
  if (min !== undefined && v < min) {
    add([...path, key], `must be >= ${min}`);
    return undefined;
  }
  return v;
}

/** Reads an optional array of integers (or strings); `nonEmpty` also makes it required. */
function arrayAt(o: Obj, key: string, path: NativePath, add: Add, of: 'integer' | 'string', nonEmpty = false): unknown[] | undefined {
  const v = o[key];
  if (v === undefined) {
    if (nonEmpty) add([...path, key], 'is required');
    return undefined;
  }
  if (!Array.isArray(v)) {
    add([...path, key], 'expected array');
    return undefined;
  }
  if (nonEmpty && v.length === 0) add([...path, key], 'must not be empty');
  v.forEach((item, i) => {
    const ok = of === 'string' ? typeof item === 'string' : typeof item === 'number' && Number.isInteger(item);
    if (!ok) add([...path, key, i], `expected ${of}`);
  });
  return v as unknown[];
}

function objectAt(o: Obj, key: string, path: NativePath, add: Add): Obj | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!isJsonObject(v)) {
    add([...path, key], 'expected object');
    return undefined;
  }
  return v;
}

function checkContext(o: Obj, path: NativePath, add: Add): void {
  const context = intAt(o, 'context', path, add);
  const sub = intAt(o, 'contextsubtype', path, add);
  const plcmttype = intAt(o, 'plcmttype', path, add);
  if (plcmttype !== undefined && plcmttype !== 0 && !inList(plcmttype, 1, 4)) add([...path, 'plcmttype'], 'is not a known placement type');
  // Context is only recommended; Prebid checks the subtype only against a present context.
  if (context === undefined || context === 0) return;
  if (!inList(context, 1, 3)) {
    add([...path, 'context'], 'is not a known context type');
    return;
  }
  if (sub === undefined || sub === 0 || sub >= EXCHANGE_SPECIFIC) return;
  const family = sub >= 10 && sub <= 15 ? 1 : sub >= 20 && sub <= 22 ? 2 : sub >= 30 && sub <= 32 ? 3 : 0;
  if (family === 0) add([...path, 'contextsubtype'], 'is not a known context subtype');
  else if (context < EXCHANGE_SPECIFIC && context !== family) add([...path, 'contextsubtype'], 'is not compatible with context');
}

function checkAsset(asset: Obj, path: NativePath, add: Add, strict: boolean): void {
  intAt(asset, 'id', path, add, !strict);
  intAt(asset, 'required', path, add);
  objectAt(asset, 'ext', path, add);
  const present = ASSET_TYPES.filter((k) => asset[k] !== undefined);
  if (present.length === 0) add(path, 'must contain one of title, img, video, data');
  else if (strict && present.length > 1) add(path, 'must contain exactly one of title, img, video, data');

  const title = objectAt(asset, 'title', path, add);
  if (title) intAt(title, 'len', [...path, 'title'], add, true, 1);

  const img = objectAt(asset, 'img', path, add);
  if (img) {
    const p = [...path, 'img'];
    intAt(img, 'type', p, add);
    for (const k of ['w', 'h', 'wmin', 'hmin']) intAt(img, k, p, add, false, 0);
    arrayAt(img, 'mimes', p, add, 'string');
  }

  const video = objectAt(asset, 'video', path, add);
  if (video) {
    const p = [...path, 'video'];
    arrayAt(video, 'mimes', p, add, 'string', true);
    intAt(video, 'minduration', p, add, strict, strict ? 1 : 0);
    intAt(video, 'maxduration', p, add, strict, strict ? 1 : 0);
    const protocols = arrayAt(video, 'protocols', p, add, 'integer', strict);
    if (strict && protocols) {
      protocols.forEach((v, i) => {
        if (typeof v === 'number' && Number.isInteger(v) && !inList(v, 1, 14)) add([...p, 'protocols', i], 'is not a known protocol');
      });
    }
  }

  const data = objectAt(asset, 'data', path, add);
  if (data) {
    const type = intAt(data, 'type', [...path, 'data'], add, true);
    if (type !== undefined && !inList(type, 1, 12)) add([...path, 'data', 'type'], 'is not a known data asset type');
    intAt(data, 'len', [...path, 'data'], add, false, 0);
  }
}

/**
 * Asset ids. Strict (Prebid): ids may all be omitted (they are then assigned by position);
 * otherwise a missing id counts as 0 and all must be unique. Legacy: each asset has an id
 * (checked in `checkAsset`) and ids must be unique.
 */
function checkAssetIds(assets: unknown[], path: NativePath, add: Add, strict: boolean): void {
  const ids = assets.map((a) => (isJsonObject(a) && typeof a.id === 'number' ? a.id : strict ? 0 : undefined));
  if (strict && ids.every((v) => v === 0)) return;
  const seen = new Set<number>();
  ids.forEach((v, i) => {
    if (v === undefined) return;
    if (seen.has(v)) add([...path, i, 'id'], 'must be unique within assets (a missing id counts as 0)');
    seen.add(v);
  });
}

function checkEventTrackers(o: Obj, path: NativePath, add: Add): void {
  const trackers = o.eventtrackers;
  if (trackers === undefined) return;
  const p = [...path, 'eventtrackers'];
  if (!Array.isArray(trackers)) {
    add(p, 'expected array');
    return;
  }
  trackers.forEach((t, i) => {
    if (!isJsonObject(t)) {
      add([...p, i], 'expected object');
      return;
    }
    const event = intAt(t, 'event', [...p, i], add, true);
    if (event !== undefined && !inList(event, 1, 4)) add([...p, i, 'event'], 'is not a known event type');
    const methods = arrayAt(t, 'methods', [...p, i], add, 'integer', true);
    methods?.forEach((m, j) => {
      if (typeof m === 'number' && Number.isInteger(m) && !inList(m, 1, 2)) add([...p, i, 'methods', j], 'is not a known tracking method');
    });
    objectAt(t, 'ext', [...p, i], add);
  });
}

function checkRequest(body: Obj, path: NativePath, add: Add, strict: boolean, impVer: string | undefined): void {
  if (body.ver !== undefined && typeof body.ver !== 'string') add([...path, 'ver'], 'expected string');
  for (const k of REQUEST_INTS) {
    if (!strict || (k !== 'context' && k !== 'contextsubtype' && k !== 'plcmttype')) intAt(body, k, path, add);
  }
  if (strict) checkContext(body, path, add);
  objectAt(body, 'ext', path, add);

  const assets = body.assets;
  if (assets === undefined) {
    // Tolerated only from a sender that says which Native version it speaks (see header).
    if (typeof body.ver !== 'string' && impVer === undefined) add([...path, 'assets'], 'is required');
  } else {
    const p = [...path, 'assets'];
    if (!Array.isArray(assets)) add(p, 'expected array');
    else if (assets.length === 0) add(p, 'must contain at least one asset');
    else {
      assets.forEach((a, i) => {
        if (isJsonObject(a)) checkAsset(a, [...p, i], add, strict);
        else add([...p, i], 'expected object');
      });
      checkAssetIds(assets, p, add, strict);
    }
  }
  checkEventTrackers(body, path, add);
}

/** The Native 1.0 wrapper `{"native": {...}}` versus the 1.1+ bare request object. */
export function unwrap(root: Obj): { body: Obj; path: NativePath } {
  const inner = root.native;
  return isJsonObject(inner) && root.assets === undefined ? { body: inner, path: ['native'] } : { body: root, path: [] };
}

/**
 * All problems with one `native.request` payload; empty when it is acceptable.
 * `impVer` is `imp.native.ver`, the version the exchange declares for the payload.
 */
export function nativeRequestIssues(request: string | Obj, impVer?: string): NativeIssue[] {
  const issues: NativeIssue[] = [];
  const add: Add = (path, message) => issues.push({ path, message });
  let root: unknown = request;
  const strict = typeof request === 'string';
  if (typeof request === 'string') {
    if (request.trim() === '') return [{ path: [], message: 'must not be empty' }];
    try {
      root = JSON.parse(request);
    } catch {
      return issues; // opaque payload: accepted, the imp just cannot be filled as native
    }
  }
  if (!isJsonObject(root)) return [{ path: [], message: 'must be a JSON object' }];
  const { body, path } = unwrap(root);
  checkRequest(body, path, add, strict, impVer);
  return issues;
}

export interface NativeAssetRequest {
  readonly id?: number;
  readonly required?: number;
  readonly title?: { readonly len: number };
  readonly img?: { readonly type?: number; readonly w?: number; readonly h?: number; readonly wmin?: number; readonly hmin?: number; readonly mimes?: readonly string[] };
  readonly video?: { readonly mimes: readonly string[]; readonly minduration?: number; readonly maxduration?: number; readonly protocols?: readonly number[] };
  readonly data?: { readonly type: number; readonly len?: number };
  readonly ext?: Readonly<Record<string, unknown>>;
}

export interface NativeMarkupRequest {
  readonly ver?: string;
  readonly context?: number;
  readonly contextsubtype?: number;
  readonly plcmttype?: number;
  readonly plcmtcnt?: number;
  readonly seq?: number;
  readonly assets?: readonly NativeAssetRequest[];
  readonly eventtrackers?: readonly { readonly event: number; readonly methods: readonly number[] }[];
  readonly privacy?: number;
  readonly ext?: Readonly<Record<string, unknown>>;
}

/**
 * The markup request inside a `native.request` that `parseBidRequest` accepted (1.0 wrapper
 * removed), or undefined for an opaque payload. Only meaningful after validation.
 */
export function parseNativeRequest(request: string): NativeMarkupRequest | undefined {
  let root: unknown;
  try {
    root = JSON.parse(request);
  } catch {
    return undefined;
  }
  return isJsonObject(root) ? unwrap(root).body : undefined;
}
