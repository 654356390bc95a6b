/**
 * A report as CSV (RFC 4180): one row per hour when asked for hours, then the total row. The
 * lift columns are filled on the total row only (lift is a property of the whole range). Money
 * is in currency units with six decimals; rates are fractions; an empty cell is "undefined"
 * (e.g. CTR without impressions).
 */
import type { Metrics } from './counters';
import type { ReportBody } from './report';

const COLUMNS = [
  'period_start',
  'period_end',
  'bids',
  'wins',
  'impressions',
  'clicks',
  'conversions',
  'holdouts',
  'spend',
  'ctr',
  'cvr',
  'ecpm',
  'exposed_users',
  'exposed_converters',
  'holdout_users',
  'holdout_converters',
  'lift',
  'lift_low',
  'lift_high',
] as const;

type Cell = string | number | null | undefined;

function money(micros: number | null): string {
  if (micros === null) return '';
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, '0')}`;
}

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  // Spreadsheets run cells that start with these as formulas.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function metricCells(m: Metrics): Cell[] {
  return [m.bids, m.wins, m.impressions, m.clicks, m.conversions, m.holdouts, money(m.spendMicros), m.ctr, m.cvr, money(m.ecpmMicros)];
}

export function reportCsv(r: ReportBody): string {
  const lines: Cell[][] = [[...COLUMNS]];
  for (const h of r.hours ?? []) {
    const end = new Date(Date.parse(h.hour) + 3_600_000).toISOString();
    lines.push([h.hour, end, ...metricCells(h), '', '', '', '', '', '', '']);
  }
  const l = r.lift;
  lines.push([
    r.from,
    r.to,
    ...metricCells(r.totals),
    l?.exposed.users,
    l?.exposed.converters,
    l?.holdout.users,
    l?.holdout.converters,
    l?.difference?.estimate,
    l?.difference?.low,
    l?.difference?.high,
  ]);
  return `${lines.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}
