/**
 * What a campaign ledger counts, per UTC hour and per dimension (the campaign, each line item,
 * each creative), and the rates derived from the counts. Spend is kept in nano-units: a win's
 * price is a CPM in micros, and one impression at that CPM costs exactly CPM-micros ÷ 1000
 * micros = CPM-micros nanos, so sums stay exact integers; reports round to micros once.
 */

export interface Counters {
  bids: number;
  wins: number;
  impressions: number;
  clicks: number;
  conversions: number;
  /** Held-out users' would-have-served decisions (lift's control group). */
  holdouts: number;
  spendNanos: number;
}

export const COUNTER_NAMES = ['bids', 'wins', 'impressions', 'clicks', 'conversions', 'holdouts', 'spendNanos'] as const;

export function zeroCounters(): Counters {
  return { bids: 0, wins: 0, impressions: 0, clicks: 0, conversions: 0, holdouts: 0, spendNanos: 0 };
}

export function addCounters(into: Counters, add: Readonly<Partial<Counters>>): Counters {
  for (const k of COUNTER_NAMES) into[k] += add[k] ?? 0;
  return into;
}

/** Report dimension keys inside one campaign's ledger. */
export const DIM_CAMPAIGN = 'cmp';
export const lineItemDim = (id: string): string => `li:${id}`;
export const creativeDim = (id: string): string => `cr:${id}`;

export interface Metrics {
  readonly bids: number;
  readonly wins: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly holdouts: number;
  readonly spendMicros: number;
  /** Clicks ÷ impressions; null without impressions. */
  readonly ctr: number | null;
  /** Conversions ÷ impressions (conversions are view-through: see the README); null without impressions. */
  readonly cvr: number | null;
  /** Spend per thousand impressions, in micros; null without impressions. */
  readonly ecpmMicros: number | null;
}

export function nanosToMicros(nanos: number): number {
  return Math.round(nanos / 1000);
}

export function metrics(c: Readonly<Counters>): Metrics {
  const per = (n: number): number | null => (c.impressions > 0 ? n / c.impressions : null);
  return {
    bids: c.bids,
    wins: c.wins,
    impressions: c.impressions,
    clicks: c.clicks,
    conversions: c.conversions,
    holdouts: c.holdouts,
    spendMicros: nanosToMicros(c.spendNanos),
    ctr: per(c.clicks),
    cvr: per(c.conversions),
    // spend per impression in nanos = CPM in micros.
    ecpmMicros: c.impressions > 0 ? Math.round(c.spendNanos / c.impressions) : null,
  };
}
