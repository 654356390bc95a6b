/**
 * Creative templates: the placeholder grammar (`{{name}}`, `{{name|url}}`), our own macros
 * (`${CLICK_URL}`, `${IMPRESSION_URL}`), and the compile step that splits a template into
 * literal text and tokens, each token tagged with the output context that decides its escaping.
 *
 * The context comes from a small scanner of the surrounding HTML or XML (not a full parser): it
 * knows text, tags, quoted and unquoted attribute values, comments, CDATA and `<script>`/`<style>`
 * bodies. Positions where no escaping makes profile data safe (inside `<script>`, an `on*`
 * handler, an unquoted attribute, a URL attribute without `|url`, a VAST URL element without
 * `|url`) are reported as problems; the catalog schema refuses them and the renderer never fills
 * a template that has any.
 *
 * Exchange macros (`${AUCTION_PRICE}` …) are not tokens: they pass through for the exchange.
 */

export const PLACEHOLDERS = ['cart_product_id', 'cart_product_name', 'top_category', 'discount'] as const;
export type PlaceholderName = (typeof PLACEHOLDERS)[number];

export const MACROS = ['CLICK_URL', 'IMPRESSION_URL'] as const;
export type MacroName = (typeof MACROS)[number];

/** `html` for banner markup, `vast` for VAST XML, `text` for native text assets (plain strings). */
export type TemplateKind = 'html' | 'vast' | 'text';

/** How a value is escaped where the token sits. */
export type OutputContext = 'html' | 'xml' | 'cdata' | 'text';

export type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'placeholder'; readonly name: PlaceholderName; readonly url: boolean; readonly context: OutputContext }
  | { readonly kind: 'macro'; readonly name: MacroName; readonly context: OutputContext };

export interface TemplateProblem {
  /** Character offset of the offending token in the template. */
  readonly offset: number;
  /** Log-safe: names the rule and the known names, never the template's text. */
  readonly message: string;
}

export interface CompiledTemplate {
  readonly segments: readonly Segment[];
  readonly placeholders: ReadonlySet<PlaceholderName>;
  readonly problems: readonly TemplateProblem[];
}

const KNOWN_LIST = PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ');
const PLACEHOLDER_BODY = /^\s*([A-Za-z0-9_]+)\s*(?:\|\s*([A-Za-z0-9_]*)\s*)?$/;

/** Attributes whose value is a URL: a placeholder there must be URL-encoded (`|url`), or `javascript:` gets in. */
const URL_ATTRIBUTES = new Set([
  'href', 'src', 'action', 'formaction', 'srcset', 'poster', 'background', 'cite', 'data', 'longdesc', 'manifest',
  'xlink:href', 'ping', 'codebase', 'archive', 'lowsrc', 'dynsrc', 'usemap', 'imagesrcset', 'content',
]);

/** VAST elements whose text is a URL the player loads or opens. */
const VAST_URL_ELEMENTS = new Set([
  'Impression', 'Error', 'Tracking', 'ClickThrough', 'ClickTracking', 'CustomClick', 'MediaFile', 'Mezzanine',
  'InteractiveCreativeFile', 'StaticResource', 'IFrameResource', 'IconClickThrough', 'IconClickTracking',
  'IconViewTracking', 'CompanionClickThrough', 'CompanionClickTracking', 'NonLinearClickThrough',
  'NonLinearClickTracking', 'Viewable', 'NotViewable', 'ViewUndetermined', 'VASTAdTagURI', 'JavaScriptResource',
  'ExecutableResource', 'ClosedCaptionFile',
]);

interface Token {
  readonly start: number;
  readonly end: number;
  readonly macro?: MacroName;
  /** Inner text of a `{{…}}` token. */
  readonly body?: string;
}

/** Our macros always; `{{…}}` only when the template is dynamic (elsewhere braces are just text). */
function findTokens(source: string, withPlaceholders: boolean): Token[] {
  const tokens: Token[] = [];
  const re = withPlaceholders ? /\$\{(CLICK_URL|IMPRESSION_URL)\}|\{\{([^{}]*)\}\}/g : /\$\{(CLICK_URL|IMPRESSION_URL)\}/g;
  for (const m of source.matchAll(re)) {
    const start = m.index;
    const end = start + m[0].length;
    const macro = m[1] as MacroName | undefined;
    tokens.push(macro !== undefined ? { start, end, macro } : { start, end, body: m[2] ?? '' });
  }
  return tokens;
}

/** `{{` that does not open a well-formed token, e.g. `{{cart_product_id}` or `{{{x}}}`. */
function unclosedOpenings(source: string, tokens: readonly Token[]): number[] {
  const out: number[] = [];
  let t = 0;
  for (let i = source.indexOf('{{'); i !== -1; i = source.indexOf('{{', i + 1)) {
    while (t < tokens.length && (tokens[t]?.end ?? 0) <= i) t++;
    const tok = tokens[t];
    const inside = tok !== undefined && tok.body !== undefined && i >= tok.start && i < tok.end;
    if (!inside) out.push(i);
  }
  return out;
}

/** Where a token sits, as far as escaping and safety are concerned. */
interface Place {
  readonly context: OutputContext;
  /** Set when no escaping makes a profile value safe here. */
  readonly unsafe?: string;
  /** The value is (part of) a URL the browser or player follows: only `|url` values are safe. */
  readonly urlOnly?: string;
}

type Scanner = (offset: number) => Place;

const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9:_.-]/.test(c);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f';

/** An incremental HTML context scanner: call it with increasing offsets. */
function htmlScanner(s: string): Scanner {
  let i = 0;
  let mode: 'text' | 'tag' | 'attrName' | 'afterName' | 'beforeValue' | 'quoted' | 'unquoted' | 'comment' | 'raw' = 'text';
  let tag = '';
  let closing = false;
  let attr = '';
  let quote = '"';

  const endTag = (): void => {
    mode = !closing && (tag === 'script' || tag === 'style') ? 'raw' : 'text';
  };
  const step = (): void => {
    const c = s[i];
    switch (mode) {
      case 'text':
        if (s.startsWith('<!--', i)) {
          mode = 'comment';
          i += 4;
        } else if (c === '<' && (/[A-Za-z]/.test(s[i + 1] ?? '') || (s[i + 1] === '/' && /[A-Za-z]/.test(s[i + 2] ?? '')))) {
          closing = s[i + 1] === '/';
          let j = i + (closing ? 2 : 1);
          const from = j;
          while (isNameChar(s[j])) j++;
          tag = s.slice(from, j).toLowerCase();
          mode = 'tag';
          i = j;
        } else i++;
        return;
      case 'comment':
        if (s.startsWith('-->', i)) {
          mode = 'text';
          i += 3;
        } else i++;
        return;
      case 'raw':
        if (c === '<' && s.slice(i + 1, i + 2 + tag.length).toLowerCase() === `/${tag}`) mode = 'text';
        else i++;
        return;
      case 'tag':
      case 'afterName':
        if (c === '>') {
          endTag();
          i++;
        } else if (c === '=' && mode === 'afterName') {
          mode = 'beforeValue';
          i++;
        } else if (isSpace(c) || c === '/') i++;
        else {
          mode = 'attrName';
          attr = '';
        }
        return;
      case 'attrName':
        if (c === undefined || isSpace(c) || c === '=' || c === '>' || c === '/') mode = 'afterName';
        else {
          attr += c.toLowerCase();
          i++;
        }
        return;
      case 'beforeValue':
        if (isSpace(c)) i++;
        else if (c === '"' || c === "'") {
          quote = c;
          mode = 'quoted';
          i++;
        } else if (c === '>') {
          endTag();
          i++;
        } else mode = 'unquoted';
        return;
      case 'quoted':
        if (c === quote) mode = 'tag';
        i++;
        return;
      case 'unquoted':
        if (c === '>') endTag();
        else if (isSpace(c)) mode = 'tag';
        i++;
        return;
    }
  };
  return (offset) => {
    while (i < offset) step();
    switch (mode) {
      case 'text':
        return { context: 'html' };
      case 'quoted':
        if (attr.startsWith('on')) return { context: 'html', unsafe: 'is not allowed in an event handler attribute' };
        if (attr === 'style' || attr === 'srcdoc') return { context: 'html', unsafe: `is not allowed in a ${attr} attribute` };
        return URL_ATTRIBUTES.has(attr) ? { context: 'html', urlOnly: 'a URL attribute' } : { context: 'html' };
      case 'unquoted':
      case 'beforeValue':
        return { context: 'html', unsafe: 'must be inside a quoted attribute value' };
      case 'raw':
        return { context: 'html', unsafe: `is not allowed inside <${tag}>` };
      case 'comment':
        return { context: 'html', unsafe: 'is not allowed inside a comment' };
      default:
        return { context: 'html', unsafe: 'must be in text or a quoted attribute value, not inside a tag' };
    }
  };
}

/** An incremental XML (VAST) context scanner that tracks the open element. */
function xmlScanner(s: string): Scanner {
  let i = 0;
  let mode: 'text' | 'tag' | 'quoted' | 'comment' | 'cdata' | 'decl' = 'text';
  let quote = '"';
  let tag = '';
  let closing = false;
  const open: string[] = [];

  const step = (): void => {
    const c = s[i];
    switch (mode) {
      case 'text':
        if (s.startsWith('<![CDATA[', i)) {
          mode = 'cdata';
          i += 9;
        } else if (s.startsWith('<!--', i)) {
          mode = 'comment';
          i += 4;
        } else if (s.startsWith('<?', i) || s.startsWith('<!', i)) {
          mode = 'decl';
          i += 2;
        } else if (c === '<') {
          closing = s[i + 1] === '/';
          let j = i + (closing ? 2 : 1);
          const from = j;
          while (isNameChar(s[j])) j++;
          tag = s.slice(from, j);
          mode = 'tag';
          i = j;
        } else i++;
        return;
      case 'tag':
        if (c === '"' || c === "'") {
          quote = c;
          mode = 'quoted';
        } else if (c === '>') {
          const selfClosing = s[i - 1] === '/';
          if (closing) {
            const at = open.lastIndexOf(tag);
            if (at !== -1) open.length = at;
          } else if (!selfClosing) open.push(tag);
          mode = 'text';
        }
        i++;
        return;
      case 'quoted':
        if (c === quote) mode = 'tag';
        i++;
        return;
      case 'comment':
        if (s.startsWith('-->', i)) {
          mode = 'text';
          i += 3;
        } else i++;
        return;
      case 'cdata':
        if (s.startsWith(']]>', i)) {
          mode = 'text';
          i += 3;
        } else i++;
        return;
      case 'decl':
        if (c === '>') mode = 'text';
        i++;
        return;
    }
  };
  return (offset) => {
    while (i < offset) step();
    const element = open[open.length - 1] ?? '';
    if (mode === 'text' || mode === 'cdata') {
      const context: OutputContext = mode === 'cdata' ? 'cdata' : 'xml';
      if (element === 'HTMLResource') return { context, unsafe: 'is not allowed inside <HTMLResource> (HTML inside XML)' };
      return VAST_URL_ELEMENTS.has(element) ? { context, urlOnly: `<${element}>` } : { context };
    }
    if (mode === 'quoted') return { context: 'xml' };
    if (mode === 'comment') return { context: 'xml', unsafe: 'is not allowed inside a comment' };
    return { context: 'xml', unsafe: 'must be in element text, CDATA or a quoted attribute value, not inside a tag' };
  };
}

function scannerFor(source: string, kind: TemplateKind): Scanner {
  if (kind === 'html') return htmlScanner(source);
  if (kind === 'vast') return xmlScanner(source);
  return () => ({ context: 'text' });
}

function isPlaceholder(name: string): name is PlaceholderName {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * Splits a template into segments. `withPlaceholders` is false for static creatives and
 * fallbacks: there `{{…}}` is plain text and only our macros are tokens.
 */
export function compileTemplate(source: string, kind: TemplateKind, withPlaceholders: boolean): CompiledTemplate {
  const tokens = kind === 'text' && !withPlaceholders ? [] : findTokens(source, withPlaceholders);
  const problems: TemplateProblem[] = withPlaceholders
    ? unclosedOpenings(source, tokens).map((offset) => ({ offset, message: `unclosed placeholder (known: ${KNOWN_LIST})` }))
    : [];
  const segments: Segment[] = [];
  const placeholders = new Set<PlaceholderName>();
  const placeOf = scannerFor(source, kind);
  let last = 0;
  for (const tok of tokens) {
    if (tok.macro !== undefined && kind === 'text') continue;
    if (tok.start > last) segments.push({ kind: 'literal', text: source.slice(last, tok.start) });
    last = tok.end;
    const place = placeOf(tok.start);
    if (tok.macro !== undefined) {
      segments.push({ kind: 'macro', name: tok.macro, context: place.context });
      continue;
    }
    const m = PLACEHOLDER_BODY.exec(tok.body ?? '');
    const name = m?.[1] ?? '';
    const filter = m?.[2];
    if (!m || !isPlaceholder(name)) {
      problems.push({ offset: tok.start, message: `unknown placeholder (known: ${KNOWN_LIST})` });
      segments.push({ kind: 'literal', text: source.slice(tok.start, tok.end) });
      continue;
    }
    if (filter !== undefined && filter !== 'url') {
      problems.push({ offset: tok.start, message: 'unknown placeholder filter (known: |url)' });
    }
    const url = filter === 'url';
    if (place.unsafe !== undefined) problems.push({ offset: tok.start, message: `placeholder ${place.unsafe}` });
    else if (place.urlOnly !== undefined && !url) {
      problems.push({ offset: tok.start, message: `placeholder in ${place.urlOnly} needs the |url filter` });
    }
    placeholders.add(name);
    segments.push({ kind: 'placeholder', name, url, context: place.context });
  }
  if (last < source.length) segments.push({ kind: 'literal', text: source.slice(last) });
  problems.sort((a, b) => a.offset - b.offset);
  return { segments, placeholders, problems };
}
