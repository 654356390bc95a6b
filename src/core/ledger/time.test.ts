import { describe, expect, it } from 'vitest';
import { dayWindow, hourOf, HOUR_MS, isTimeZone } from './time';

describe('dayWindow', () => {
  it('is the UTC day without a time zone', () => {
    expect(dayWindow(Date.UTC(2026, 10, 23, 15))).toEqual({ startMs: Date.UTC(2026, 10, 23), endMs: Date.UTC(2026, 10, 24) });
  });

  it('is the local day in a time zone', () => {
    expect(dayWindow(Date.UTC(2026, 10, 23, 15), 'Europe/Berlin')).toEqual({ startMs: Date.UTC(2026, 10, 22, 23), endMs: Date.UTC(2026, 10, 23, 23) });
    expect(dayWindow(Date.UTC(2026, 10, 23, 3), 'America/Los_Angeles').startMs).toBe(Date.UTC(2026, 10, 22, 8));
    expect(dayWindow(Date.UTC(2026, 10, 23, 12), 'Asia/Kolkata').startMs).toBe(Date.UTC(2026, 10, 22, 18, 30));
  });

  it('has 23 and 25 hours across daylight-saving changes', () => {
    // Berlin: clocks forward on 29 March 2026, back on 25 October 2026.
    const spring = dayWindow(Date.UTC(2026, 2, 29, 12), 'Europe/Berlin');
    expect((spring.endMs - spring.startMs) / HOUR_MS).toBe(23);
    const autumn = dayWindow(Date.UTC(2026, 9, 25, 12), 'Europe/Berlin');
    expect((autumn.endMs - autumn.startMs) / HOUR_MS).toBe(25);
    expect(autumn.startMs).toBe(Date.UTC(2026, 9, 24, 22));
  });

  it('contains the instant at both edges of a day', () => {
    const tz = 'America/New_York';
    const d = dayWindow(Date.UTC(2026, 10, 23, 12), tz);
    expect(dayWindow(d.startMs, tz)).toEqual(d);
    expect(dayWindow(d.endMs - 1, tz)).toEqual(d);
    expect(dayWindow(d.endMs, tz).startMs).toBe(d.endMs);
  });
});

describe('time helpers', () => {
  it('buckets hours and knows time zones', () => {
    expect(hourOf(Date.UTC(1970, 0, 1, 5, 59))).toBe(5);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
