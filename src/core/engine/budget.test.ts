import { describe, expect, it } from 'vitest';
import { profileBudgetMs } from './budget';

describe('profileBudgetMs', () => {
  it('leaves the network reserve out of tmax and never exceeds the ceiling', () => {
    expect(profileBudgetMs(60, 40, 30)).toBe(20);
    expect(profileBudgetMs(1000, 40, 30)).toBe(30);
  });
  it('is zero when tmax leaves nothing after the reserve', () => {
    expect(profileBudgetMs(30, 40, 30)).toBe(0);
  });
  it('uses the ceiling without a tmax', () => {
    expect(profileBudgetMs(undefined, 40, 30)).toBe(30);
  });
});
