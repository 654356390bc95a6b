import { describe, expect, it } from 'vitest';
import { zeroCounters } from './counters';
import { reportCsv } from './csv';
import { lift } from './lift';
import { buildReport, parseReportQuery, type ReportQuery } from './report';
import { HOUR_MS } from './time';

const NOW = Date.UTC(2026, 10, 23, 10, 30);

describe('parseReportQuery', () => {
  it('defaults to the last 7 days in whole hours, JSON totals', () => {
    const q = parseReportQuery({}, undefined, NOW);
    expect(q).toEqual({ ok: true, value: { fromMs: Date.UTC(2026, 10, 16, 11), toMs: Date.UTC(2026, 10, 23, 11), granularity: 'total', format: 'json' } });
  });

  it('accepts ISO date-times, dates and epoch ms, rounding outward to hours', () => {
    const q = parseReportQuery({ from: '2026-11-20T08:15:00Z', to: String(Date.UTC(2026, 10, 21, 12, 1)) }, undefined, NOW);
    expect(q.ok && q.value.fromMs).toBe(Date.UTC(2026, 10, 20, 8));
    expect(q.ok && q.value.toMs).toBe(Date.UTC(2026, 10, 21, 13));
    const d = parseReportQuery({ from: '2026-11-20', to: '2026-11-21' }, undefined, NOW);
    expect(d.ok && d.value.toMs - d.value.fromMs).toBe(24 * HOUR_MS);
  });

  it('picks CSV from ?format=csv or Accept: text/csv', () => {
    expect(parseReportQuery({ format: 'csv' }, undefined, NOW)).toMatchObject({ value: { format: 'csv' } });
    expect(parseReportQuery({}, 'text/csv; charset=utf-8', NOW)).toMatchObject({ value: { format: 'csv' } });
    expect(parseReportQuery({ format: 'json' }, 'text/csv', NOW)).toMatchObject({ value: { format: 'json' } });
  });

  it('reports every bad parameter at once', () => {
    const q = parseReportQuery({ from: 'yesterday', to: 'soon', granularity: 'minute', format: 'xml' }, undefined, NOW);
    expect(q.ok).toBe(false);
    expect(!q.ok && q.issues.map((i) => i.path)).toEqual(['from', 'to', 'granularity', 'format']);
  });

  it('refuses an empty or reversed range and one longer than 92 days', () => {
    expect(parseReportQuery({ from: '2026-11-21', to: '2026-11-20' }, undefined, NOW)).toMatchObject({ ok: false, issues: [{ path: 'from' }] });
    expect(parseReportQuery({ from: '2026-01-01', to: '2026-11-20' }, undefined, NOW)).toMatchObject({ ok: false, issues: [{ path: 'from' }] });
  });
});

describe('buildReport and CSV', () => {
  const query: ReportQuery = { fromMs: Date.UTC(2026, 10, 23), toMs: Date.UTC(2026, 10, 23, 3), granularity: 'hour', format: 'json' };
  const hour = Date.UTC(2026, 10, 23) / HOUR_MS;
  const rows = [
    { hour, counters: { ...zeroCounters(), bids: 10, wins: 4, impressions: 4, clicks: 1, spendNanos: 8_000_000 } },
    { hour: hour + 2, counters: { ...zeroCounters(), bids: 6, wins: 2, impressions: 2, conversions: 1, spendNanos: 2_000_001 } },
    // A second ledger's row for the same hour (a creative shared by two campaigns) adds up.
    { hour, counters: { ...zeroCounters(), bids: 1 } },
  ];

  it('sums rows into totals and hours with CTR, CVR and eCPM', () => {
    const r = buildReport({ kind: 'creative', id: 'cr-1', currency: 'USD', query, rows });
    expect(r.totals).toEqual({
      bids: 17,
      wins: 6,
      impressions: 6,
      clicks: 1,
      conversions: 1,
      holdouts: 0,
      spendMicros: 10_000,
      ctr: 1 / 6,
      cvr: 1 / 6,
      ecpmMicros: 1_666_667,
    });
    expect(r.hours?.map((h) => [h.hour, h.bids])).toEqual([
      ['2026-11-23T00:00:00.000Z', 11],
      ['2026-11-23T02:00:00.000Z', 6],
    ]);
    expect(r.hours?.[0]?.ecpmMicros).toBe(2_000_000);
  });

  it('leaves rates empty without impressions', () => {
    const r = buildReport({ kind: 'campaign', id: 'c', currency: 'USD', query: { ...query, granularity: 'total' }, rows: [] });
    expect(r.totals.ctr).toBeNull();
    expect(r.totals.ecpmMicros).toBeNull();
    expect(r.hours).toBeUndefined();
  });

  it('renders CSV with hourly rows, a total row and lift columns', () => {
    const r = buildReport({ kind: 'campaign', id: 'c', currency: 'USD', query, rows, lift: lift({ users: 100, converters: 10 }, { users: 50, converters: 2 }) });
    const lines = reportCsv(r).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'period_start,period_end,bids,wins,impressions,clicks,conversions,holdouts,spend,ctr,cvr,ecpm,exposed_users,exposed_converters,holdout_users,holdout_converters,lift,lift_low,lift_high',
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('2026-11-23T00:00:00.000Z,2026-11-23T01:00:00.000Z,11,4,4,1,0,0,0.008000,0.25,0,2.000000,,,,,,,');
    const total = lines[3]?.split(',') ?? [];
    expect(total.slice(0, 2)).toEqual(['2026-11-23T00:00:00.000Z', '2026-11-23T03:00:00.000Z']);
    expect(total[8]).toBe('0.010000');
    expect(total.slice(12, 16)).toEqual(['100', '10', '50', '2']);
    expect(Number(total[16])).toBeCloseTo(0.06, 10);
  });
});
