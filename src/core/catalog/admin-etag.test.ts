import { describe, expect, it } from 'vitest';
import { canonicalJson, catalogEtag, entityEtag, ifMatchSatisfied } from './admin-etag';

describe('entityEtag', () => {
  it('ignores key order and changes with content and archived state', () => {
    const a = entityEtag({ id: 'x', n: 1, nested: { b: 2, a: [1, { d: 1, c: 2 }] } }, false);
    expect(entityEtag({ nested: { a: [1, { c: 2, d: 1 }], b: 2 }, n: 1, id: 'x' }, false)).toBe(a);
    expect(entityEtag({ id: 'x', n: 2, nested: { b: 2, a: [1, { d: 1, c: 2 }] } }, false)).not.toBe(a);
    expect(entityEtag({ id: 'x', n: 1, nested: { b: 2, a: [1, { d: 1, c: 2 }] } }, true)).not.toBe(a);
    expect(a).toMatch(/^"[0-9a-f]{28}"$/);
  });

  it('canonical JSON is JSON', () => {
    const v = { z: [1, 'two', null, true], a: { y: 1.5 } };
    expect(JSON.parse(canonicalJson(v))).toEqual(v);
    expect(canonicalJson(v)).toBe('{"a":{"y":1.5},"z":[1,"two",null,true]}');
  });
});

describe('ifMatchSatisfied', () => {
  const tag = entityEtag({ id: 'x' }, false);
  it.each([
    ['the same tag', tag, true],
    ['a list holding it', `"other", ${tag}`, true],
    ['its weak form', `W/${tag}`, true],
    ['a star', '*', true],
    ['another tag', '"other"', false],
    ['the tag without quotes', tag.slice(1, -1), false],
  ])('%s', (_name, header, want) => {
    expect(ifMatchSatisfied(header, tag)).toBe(want);
  });
  it('nothing matches an entity that does not exist, not even a star', () => {
    expect(ifMatchSatisfied('*', null)).toBe(false);
  });
  it('the catalog is tagged by version', () => {
    expect(ifMatchSatisfied(catalogEtag(7), catalogEtag(7))).toBe(true);
    expect(ifMatchSatisfied(catalogEtag(7), catalogEtag(8))).toBe(false);
  });
});
