/**
 * Calendar arithmetic for budgets and reports. Counters live in UTC hour buckets (an hour is
 * the same everywhere, so any time zone's day is a whole number of them); a daily budget runs
 * from local midnight to local midnight in the campaign's time zone, which may be 23 or 25
 * hours long across a daylight-saving change.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The UTC hour bucket a time falls in (hours since the epoch). */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

export interface DayWindow {
  readonly startMs: number;
  readonly endMs: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface Wall {
  readonly y: number;
  readonly m: number;
  readonly d: number;
  /** Wall-clock time read as if it were UTC, in ms. */
  readonly asUtcMs: number;
}

function wallClock(ms: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatFor(timeZone).formatToParts(ms)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const y = parts.year ?? 1970;
  const m = parts.month ?? 1;
  const d = parts.day ?? 1;
  const asUtcMs = Date.UTC(y, m - 1, d, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return { y, m, d, asUtcMs };
}

/** The instant local midnight starts the given local date (month 1-based; days may overflow). */
function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const naive = Date.UTC(y, m - 1, d);
  // Two passes: the offset at the naive guess, then at the corrected instant (DST edges).
  let guess = naive - (wallClock(naive, timeZone).asUtcMs - naive);
  guess = naive - (wallClock(guess, timeZone).asUtcMs - guess);
  return guess;
}

/** The last day computed per time zone: the hot path asks about the same day again and again. */
const lastDay = new Map<string, DayWindow>();

/** The budget day containing `ms`: UTC midnight to midnight, or the campaign's local day. */
export function dayWindow(ms: number, timeZone?: string): DayWindow {
  if (timeZone === undefined || timeZone === 'UTC') {
    const startMs = Math.floor(ms / DAY_MS) * DAY_MS;
    return { startMs, endMs: startMs + DAY_MS };
  }
  const last = lastDay.get(timeZone);
  if (last && last.startMs <= ms && ms < last.endMs) return last;
  const day = localDay(ms, timeZone);
  lastDay.set(timeZone, day);
  return day;
}

function localDay(ms: number, timeZone: string): DayWindow {
  const w = wallClock(ms, timeZone);
  const startMs = localMidnight(w.y, w.m, w.d, timeZone);
  const endMs = localMidnight(w.y, w.m, w.d + 1, timeZone);
  // Whole seconds of offset keep these exact; the guard covers zones whose midnight is skipped.
  return startMs <= ms && ms < endMs ? { startMs, endMs } : { startMs: Math.min(startMs, ms), endMs: Math.max(endMs, ms + 1) };
}
