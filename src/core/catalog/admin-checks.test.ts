import { describe, expect, it } from 'vitest';
import type { BannerCreative, Creative, TargetingExpr } from '../model';
import { crossIssues, formatFit, unassignedCreatives } from './admin-checks';
import { demoBase } from './admin-test-support';

const banner: BannerCreative = {
  id: 'b',
  advertiserId: 'a',
  format: 'banner',
  w: 300,
  h: 250,
  markup: 'x',
  clickUrl: 'https://a.example/',
  categories: [],
  attributes: [],
  weight: 1,
};
const video: Creative = { ...banner, format: 'video', vast: '<VAST/>', mimes: ['video/mp4'], durationSec: 15, protocols: [3], w: 640, h: 360 };

describe('formatFit', () => {
  const cases: [string, TargetingExpr | null, Creative, string][] = [
    ['no targeting', null, banner, 'unknown'],
    ['its size', { format: ['300x250'] }, banner, 'fits'],
    ['banner in general', { format: ['banner'] }, banner, 'fits'],
    ['another size only', { format: ['728x90'] }, banner, 'never'],
    ['video only, for a banner', { format: ['video'] }, banner, 'never'],
    ['video, for a video', { format: ['video'] }, video, 'fits'],
    ['all: a format that fits and another leaf', { all: [{ format: ['300x250'] }, { keywords: ['x'] }] }, banner, 'unknown'],
    ['all: one branch rules it out', { all: [{ keywords: ['x'] }, { format: ['native'] }] }, banner, 'never'],
    ['any: one branch fits', { any: [{ format: ['native'] }, { format: ['300x250'] }] }, banner, 'fits'],
    ['any: another leaf may hold', { any: [{ format: ['native'] }, { keywords: ['x'] }] }, banner, 'unknown'],
    ['any: every branch rules it out', { any: [{ format: ['native'] }, { format: ['video'] }] }, banner, 'never'],
    ['not its own format', { not: { format: ['banner'] } }, banner, 'never'],
    ['not another format', { not: { format: ['video'] } }, banner, 'unknown'],
    ['not of a compound', { not: { all: [{ format: ['300x250'] }, { format: ['banner'] }] } }, banner, 'unknown'],
  ];
  it.each(cases)('%s', (_name, expr, creative, want) => {
    expect(formatFit(expr, creative)).toBe(want);
  });
});

describe('crossIssues', () => {
  it('the demo catalog has none, and every creative is used', () => {
    const { typed } = demoBase();
    expect(crossIssues(typed.doc, typed.rules)).toEqual([]);
    expect(unassignedCreatives(typed.doc).size).toBe(0);
  });

  it('reports a segment rule scoped to an advertiser that does not exist', () => {
    const { typed } = demoBase();
    const rules = [...typed.rules, { id: 'x', advertiserId: 'adv-gone', when: { last: { type: 'purchase' as const }, within: '7d' } }];
    expect(crossIssues(typed.doc, rules)).toEqual([{ path: `segmentRules[${rules.length - 1}].advertiserId`, message: 'unknown advertiser' }]);
  });
});
