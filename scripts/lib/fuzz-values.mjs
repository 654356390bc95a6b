// Hostile values and the mutations that plant them, for the fuzzer (scripts/fuzz.mjs). Everything
// is a fast-check arbitrary or a pure function of its output, so a seed reproduces a run.
import fc from 'fast-check';

/** Planted in generated string values: an error body that contains it echoed request data. */
export const CANARY = 'zq-canary-7731';

const loneSurrogates = fc.constantFrom('\ud800', '\udfff', 'a\ud83db', '\udc00\ud800', `${CANARY}\ud800`);

export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
  { weight: 2, arbitrary: loneSurrogates },
  { weight: 2, arbitrary: fc.constant(CANARY) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\u200b\u200e\u202e',
      '\ufeff',
      'javascript:alert(1)',
      '"><script>alert(1)</script>',
      '../../etc/passwd',
      '%00%ff%c0%af',
      '${AUCTION_PRICE}',
      '{{cart_product_id}}',
      'null',
      'undefined',
      '__proto__',
      '1e400',
      'NaN',
      '300x250',
      '0x0',
      '-1x-1',
      '99999999x99999999',
      'https://evil.example/\u0000',
      'ＵＳＤ',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 5_000 }).map((n) => 'x'.repeat(n)) },
);

export const hostileNumber = fc.oneof(
  fc.constantFrom(
    1e308,
    -1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -0,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    2 ** 31,
    2 ** 32,
    -1,
    0,
    0.5,
    1e21,
    1e-7,
    123456789012345680000,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** A JSON text of a value JSON.parse turns into something awkward (Infinity, a lossy integer). */
export const hostileNumberText = fc.constantFrom('1e400', '-1e400', `1${'0'.repeat(400)}`, `0.${'0'.repeat(400)}1`, '-0', '1E+2', '9007199254740993', '1.0');

/** Wrong types and awkward scalars, all small: for every field of a generated document at once. */
export const smallHostile = fc.oneof(
  hostileNumber,
  fc.constantFrom(null, true, false, [], {}, '', ' ', CANARY, '\ud800', '1e400', 'NaN'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

export const hostileValue = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 4, arbitrary: hostileNumber },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { '': null }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 60 }).map((d) => nestIn(1, d)) },
  { weight: 1, arbitrary: fc.constantFrom(100, 1_000, 9_999, 10_000, 10_001).map((n) => new Array(n).fill(0)) },
);

export function nestIn(value, depth) {
  let v = value;
  for (let i = 0; i < depth; i++) v = i % 3 === 2 ? { a: v } : [v];
  return v;
}

const weirdKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'ext', 'id', 'imp', '\u0000', 'x'.repeat(300)),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

/** One mutation: what to do, where (an index into the document's paths), with what. */
export const mutationOp = fc.record({
  kind: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'insert', 'duplicate', 'wrap', 'nest', 'retype'),
  at: fc.nat(),
  value: hostileValue,
  key: weirdKey,
  times: fc.integer({ min: 2, max: 120 }),
  depth: fc.integer({ min: 8, max: 48 }),
});

export const mutationOps = fc.array(mutationOp, { minLength: 1, maxLength: 5 });

/** Every (container, key) in `doc`, depth first, up to `limit`. */
function slots(doc, limit = 2_000) {
  const out = [];
  const walk = (node) => {
    if (out.length >= limit || node === null || typeof node !== 'object') return;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      out.push([node, key]);
      walk(node[key]);
    }
  };
  walk(doc);
  return out;
}

function retype(v) {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v.length;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  if (v && typeof v === 'object') return Object.values(v);
  return v === null ? {} : null;
}

/** A mutated deep copy of `doc` (a JSON value). */
export function mutate(doc, ops) {
  const root = { doc: structuredClone(doc) };
  for (const planned of ops) {
    // constantFrom hands out the same [] / {} every time: plant copies, never a shared instance.
    const op = { ...planned, value: structuredClone(planned.value) };
    const all = slots(root);
    const [parent, key] = all[op.at % all.length];
    const current = parent[key];
    switch (op.kind) {
      case 'replace':
        parent[key] = op.value;
        break;
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key, 1);
        else if (parent !== root) Reflect.deleteProperty(parent, key);
        break;
      case 'insert':
        if (Array.isArray(current)) current.push(op.value);
        else if (current && typeof current === 'object') Object.defineProperty(current, op.key, { value: op.value, enumerable: true, writable: true, configurable: true });
        else parent[key] = op.value;
        break;
      case 'duplicate':
        if (Array.isArray(current) && current.length > 0) parent[key] = new Array(op.times).fill(current[0]).map((x) => structuredClone(x));
        else parent[key] = new Array(Math.min(op.times, 50)).fill(null).map(() => structuredClone(current ?? null));
        break;
      case 'wrap':
        parent[key] = op.times % 2 === 0 ? [current] : Object.defineProperty({}, op.key, { value: current, enumerable: true, writable: true, configurable: true });
        break;
      case 'nest':
        parent[key] = nestIn(current ?? null, op.depth);
        break;
      case 'retype':
        parent[key] = retype(current);
        break;
    }
  }
  return root.doc;
}

/** Byte-level damage to a serialised document. */
export const byteMutation = fc.record({
  kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate', 'splice', 'token', 'token', 'bom', 'utf16'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 64 }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  token: fc.oneof(
    fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', 'null', '\\ud800', '\\u0000', '\u0000', '\ufeff', '"\\', '{"":', '[[[[[[[['),
    hostileNumberText,
    fc.constantFrom(Buffer.from([0xff, 0xfe]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90, 0x80, 0x80])),
  ),
});

export function damage(text, ops) {
  let buf = Buffer.from(text, 'utf8');
  for (const op of ops) {
    const at = buf.length === 0 ? 0 : op.at % buf.length;
    switch (op.kind) {
      case 'flip':
        if (buf.length > 0) buf[at] ^= op.bytes[0] || 0x20;
        break;
      case 'insert':
        buf = Buffer.concat([buf.subarray(0, at), Buffer.from(op.bytes), buf.subarray(at)]);
        break;
      case 'delete':
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + op.len)]);
        break;
      case 'truncate':
        buf = buf.subarray(0, at);
        break;
      case 'splice':
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(Math.max(0, at - op.len), at), buf.subarray(at)]);
        break;
      case 'token':
        buf = Buffer.concat([buf.subarray(0, at), Buffer.isBuffer(op.token) ? op.token : Buffer.from(op.token, 'utf8'), buf.subarray(at)]);
        break;
      case 'bom':
        buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf]);
        break;
      case 'utf16':
        buf = Buffer.from(buf.toString('utf8'), 'utf16le');
        break;
    }
  }
  return buf;
}

export const byteMutations = fc.array(byteMutation, { minLength: 1, maxLength: 4 });

/** Nested brackets / objects as text, from shallow to far past any sane limit. */
export const deepText = fc
  .record({
    // Mostly around the 32-level limit and a little past it; now and then megabytes of it.
    depth: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 20, max: 2_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 200_000 }) }),
    kind: fc.constantFrom('[', '{"a":', '[{"a":', 'mixed'), closed: fc.boolean() })
  .map(({ depth, kind, closed }) => {
    const open = kind === 'mixed' ? '[{"a":'.repeat(Math.ceil(depth / 2)) : kind.repeat(depth);
    if (!closed) return open;
    const close = kind === '[' ? ']'.repeat(depth) : kind === '{"a":' ? `1${'}'.repeat(depth)}` : `1${'}]'.repeat(kind === 'mixed' ? Math.ceil(depth / 2) : depth)}`;
    return open + close;
  });

export const randomBytes = fc.uint8Array({ maxLength: 4_096 }).map((a) => Buffer.from(a));
