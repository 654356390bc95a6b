/**
 * Browser code, part 1 of /ui/app.js: DOM building, number formatting and the API client.
 *
 * Everything the page shows is built with createElement and text nodes, never by parsing HTML,
 * so operator input (campaign names, ids, error messages) can only ever be text. The CSP also
 * requires Trusted Types, which makes an accidental `innerHTML = string` throw.
 *
 * Written as a string (String.raw, so backslashes stay as written; the code uses no template
 * literals) because the Worker serves it as-is and the project has no browser build step.
 */

export const DOM_JS = String.raw`
const $ = (id) => {
  const node = document.getElementById(id);
  if (!node) throw new Error('the page has no #' + id);
  return node;
};

/** An element with text (never markup), a class, a title, data-* attributes and child nodes. */
function el(tag, opts, children) {
  const node = document.createElement(tag);
  if (opts) {
    if (opts.className) node.className = opts.className;
    if (opts.text !== undefined && opts.text !== null) node.textContent = String(opts.text);
    if (opts.title) node.title = String(opts.title);
    if (opts.data) for (const key of Object.keys(opts.data)) node.dataset[key] = String(opts.data[key]);
  }
  for (const child of children || []) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const muted = (text) => el('span', { className: 'muted', text: text });
const badge = (text, tone) => el('span', { className: tone ? 'badge ' + tone : 'badge', text: text });
const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
const str = (x) => (typeof x === 'string' || isNum(x) ? String(x) : '–');
const money = (micros, currency) => (isNum(micros) ? (micros / 1e6).toFixed(2) + (currency ? ' ' + currency : '') : '–');
const pct = (x, digits) => (isNum(x) ? (x * 100).toFixed(digits === undefined ? 2 : digits) + '%' : '–');
const count = (n) => (isNum(n) ? n.toLocaleString('en') : '–');
const points = (x) => (isNum(x) ? (x < 0 ? '−' : '+') + Math.abs(x * 100).toFixed(2) + ' pp' : '–');
const isObj = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);
const arr = (x) => (Array.isArray(x) ? x : []);

/** A definition list from [label, value] pairs; values that are nodes stay nodes, others become text. */
function facts(pairs) {
  const dl = el('dl');
  for (const pair of pairs) {
    if (pair[1] === undefined || pair[1] === null) continue;
    dl.append(el('dt', { text: pair[0] }), el('dd', null, [pair[1]]));
  }
  return dl;
}

const session = { token: '' };

/** Calls our own API with the admin token; the body is parsed as JSON when it is JSON. */
async function api(path, init) {
  const headers = new Headers(init && init.headers ? init.headers : undefined);
  headers.set('authorization', 'Bearer ' + session.token);
  const res = await fetch(path, Object.assign({}, init, { headers: headers, cache: 'no-store', credentials: 'omit', redirect: 'manual' }));
  const text = await res.text();
  let json = null;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch (err) {
      json = null;
    }
  }
  return { status: res.status, headers: res.headers, json: json, text: text };
}

const apiError = (r) => (isObj(r.json) && isObj(r.json.error) ? r.json.error : null);

function errorText(r) {
  const e = apiError(r);
  return e ? 'HTTP ' + r.status + ' ' + str(e.code) + ': ' + str(e.message) : 'HTTP ' + r.status;
}

/** An error answer as nodes: code and message, then every field issue. */
function errorView(r) {
  const e = apiError(r);
  const nodes = [el('p', { className: 'error', text: errorText(r) })];
  const issues = e ? arr(e.issues) : [];
  if (issues.length > 0) nodes.push(el('ul', { className: 'issues' }, issues.map((i) => el('li', null, [el('code', { text: isObj(i) ? str(i.path) : '' }), ' ', isObj(i) ? str(i.message) : '']))));
  return nodes;
}

function notice(text, isError) {
  const n = $('notice');
  n.textContent = text;
  n.classList.toggle('error', Boolean(isError));
}

/** Runs fn over items, at most limit at a time, keeping the order. */
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
`;
