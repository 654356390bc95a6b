/**
 * Creative templates: the placeholder grammar (`{{name}}`, `{{name|url}}`), our own macros
 * (`${CLICK_URL}`, `${IMPRESSION_URL}`), and the compile step that splits a template into
 * literal text and tokens, each token tagged with the output context that decides its escaping.
 *
 * The context comes from markup-scan.ts, a small scanner of the surrounding HTML or XML: it
 * knows text, tags, quoted and unquoted attribute values, comments, CDATA and `<script>`/`<style>`
 * bodies. Positions where no escaping makes profile data safe (inside `<script>`, an `on*`
 * handler, an unquoted attribute, a URL attribute without `|url`, a VAST URL element without
 * `|url`) are reported as problems; the catalog schema refuses them and the renderer never fills
 * a template that has any.
 *
 * Exchange macros (`${AUCTION_PRICE}` …) are not tokens: they pass through for the exchange.
 */
import { scannerFor } from './markup-scan';

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
