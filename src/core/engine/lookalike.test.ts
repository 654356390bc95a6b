import { describe, expect, it } from 'vitest';
import type { LookalikeModel, ProfileSnapshot } from '../model';
import { eventCount, lookalikeScore, scorer } from './lookalike';

const DAY = 86_400_000;
const NOW = 100 * DAY + 3_600_000;
const model: LookalikeModel = {
  id: 'lal',
  advertiserId: 'adv',
  intercept: -1,
  weights: [
    { segment: 'cart_abandoners', weight: 2 },
    { count: 'product_view', windowDays: 7, weight: 1 },
    { recency: 'add_to_cart', halfLifeDays: 1, weight: 1 },
  ],
};
const base: ProfileSnapshot = { version: 1, updatedAtMs: NOW, segments: {}, conversions: {} };

describe('lookalikeScore', () => {
  it('is the logistic of the intercept alone for an empty profile', () => {
    expect(lookalikeScore(model, base, NOW)).toBeCloseTo(1 / (1 + Math.E), 12);
  });
  it('adds segment, ln(1 + count) and half-life recency terms of the same advertiser only', () => {
    const p: ProfileSnapshot = {
      ...base,
      segments: { 'cart_abandoners@adv': { sinceMs: 0, expiresAtMs: NOW + 1 }, 'cart_abandoners@other': { sinceMs: 0, expiresAtMs: NOW + 1 } },
      activity: {
        'product_view@adv': { lastMs: NOW, daily: [[90, 5], [94, 1], [100, 2]] },
        'add_to_cart@adv': { lastMs: NOW - DAY, daily: [[99, 1]] },
      },
    };
    // z = -1 + 2 + ln(1 + 3) + 2^-1
    const z = -1 + 2 + Math.log(4) + 0.5;
    expect(lookalikeScore(model, p, NOW)).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
  });
});

describe('eventCount', () => {
  it('sums the day buckets inside the window, today included', () => {
    const p: ProfileSnapshot = { ...base, activity: { 'x@adv': { lastMs: NOW, daily: [[93, 4], [94, 1], [100, 2]] } } };
    expect(eventCount(p, 'x@adv', 7, NOW)).toBe(3);
    expect(eventCount(p, 'x@adv', 8, NOW)).toBe(7);
    expect(eventCount(p, 'y@adv', 8, NOW)).toBe(0);
  });
});

describe('scorer', () => {
  it('memoises per model and is null without a profile or model', () => {
    const s = scorer(new Map([['lal', model]]), base, NOW);
    expect(s('lal')).toBe(s('lal'));
    expect(s('missing')).toBeNull();
    expect(scorer(new Map([['lal', model]]), null, NOW)('lal')).toBeNull();
  });
});
