/**
 * Where in HTML or VAST XML a template token sits: a small incremental scanner (not a parser) that
 * knows text, tags, quoted and unquoted attribute values, comments, CDATA, `<script>`/`<style>`
 * bodies and, for XML, the open element. It answers the token's output context and whether a
 * profile value can be made safe there at all.
 */
import type { OutputContext, TemplateKind } from './template';

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

/** Where a token sits, as far as escaping and safety are concerned. */
export interface Place {
  readonly context: OutputContext;
  /** Set when no escaping makes a profile value safe here. */
  readonly unsafe?: string;
  /** The value is (part of) a URL the browser or player follows: only `|url` values are safe. */
  readonly urlOnly?: string;
}

export type Scanner = (offset: number) => Place;

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

export function scannerFor(source: string, kind: TemplateKind): Scanner {
  if (kind === 'html') return htmlScanner(source);
  if (kind === 'vast') return xmlScanner(source);
  return () => ({ context: 'text' });
}

