/**
 * Win and billing notices: what price a notice charges, and which notice of a placement counts
 * as spend.
 *
 * Which notice is billable: the FIRST of win (`nurl`), billing (`burl`) or impression for a
 * (response id, imp id) adds its price to spend; the others of the same placement are counted
 * (wins, impressions) but never add spend again. Exchanges that send `burl` bill on it, and most
 * send `nurl` first: counting the win keeps pacing up to date seconds earlier and errs on the
 * safe side (a win that is never billed still counts against the budget). The impression counts
 * spend only when no notice came first — the publisher decisions path has no notices at all.
 */

/** Notice kinds as bits, so one stored integer per placement remembers every kind seen. */
export const NOTICE_BITS = { win: 1, bill: 2, imp: 4, click: 8 } as const;
/** Set once the placement's spend has been counted. */
export const SPENT_BIT = 16;

export type NoticeKind = keyof typeof NOTICE_BITS;

export function countsSpend(kind: NoticeKind): boolean {
  return kind !== 'click';
}

export type PriceSource = 'auction' | 'bid';

export interface NoticePrice {
  /** CPM in micros to charge for this placement. */
  readonly cpmMicros: number;
  readonly source: PriceSource;
  /** Why the exchange's price was not used (log-safe). */
  readonly issue?: 'missing' | 'unsubstituted' | 'malformed' | 'above_bid';
}

/** A plain decimal CPM such as `1.23` or `0.5` (at most 6 decimals: our unit is the micro). */
const DECIMAL = /^(0|[1-9]\d{0,8})(\.\d{1,6})?$/;

/**
 * The clearing price from the `price` query parameter (the exchange substitutes its
 * `${AUCTION_PRICE}` macro there), else the bid price. A price above our bid is never charged:
 * we did not agree to pay it, so the bid price is used instead.
 */
export function noticePrice(raw: string | undefined, bidCpmMicros: number): NoticePrice {
  const bid = (issue: NonNullable<NoticePrice['issue']>): NoticePrice => ({ cpmMicros: bidCpmMicros, source: 'bid', issue });
  if (raw === undefined || raw === '') return bid('missing');
  if (raw.includes('AUCTION_PRICE')) return bid('unsubstituted');
  const m = DECIMAL.exec(raw.trim());
  if (!m) return bid('malformed');
  const whole = Number(m[1]);
  const frac = Number((m[2] ?? '.').slice(1).padEnd(6, '0'));
  const cpmMicros = whole * 1_000_000 + frac;
  if (cpmMicros > bidCpmMicros) return bid('above_bid');
  return { cpmMicros, source: 'auction' };
}
