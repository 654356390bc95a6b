import { describe, expect, it } from 'vitest';
import { noticePrice } from './notice';

describe('noticePrice', () => {
  const BID = 2_500_000;
  it.each([
    ['1.23', 1_230_000],
    ['0.5', 500_000],
    ['2.5', 2_500_000],
    ['0.000001', 1],
    [' 1.1 ', 1_100_000],
  ])('charges the clearing price %s', (raw, micros) => {
    expect(noticePrice(raw, BID)).toEqual({ cpmMicros: micros, source: 'auction' });
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    ['${AUCTION_PRICE}', 'unsubstituted'],
    ['%24%7BAUCTION_PRICE%7D', 'unsubstituted'],
    ['abc', 'malformed'],
    ['-1', 'malformed'],
    ['1e3', 'malformed'],
    ['1.1234567', 'malformed'],
    ['Wx8yQ2BPHgAAAAAA', 'malformed'],
    ['2.6', 'above_bid'],
  ])('falls back to the bid price for %s (%s)', (raw, issue) => {
    expect(noticePrice(raw, BID)).toEqual({ cpmMicros: BID, source: 'bid', issue });
  });
});
