/**
 * `Server-Timing` for the bid path, in debug mode only: where one request's time went (parse,
 * consent, profile, decide, sign, serialise, total), for operators and for `npm run loadtest`,
 * which samples it under load. Asked for with `?timing=1` (or `?debug=1`, which also asks for the
 * explain trace) and given only to callers who may see the explain trace: stage times say whether
 * this user's profile object was slow, and that is the operator's business.
 *
 * Off (the normal case), the route holds `null` and every mark is an optional call that does
 * nothing: no clock reads, no allocation.
 *
 * Clock: `performance.now()`. In workerd it has millisecond resolution, so one request's sub-ms
 * stages read 0 or 1; means over many requests are what is worth reading. On Cloudflare's network
 * the clock also stands still while code runs and moves only on I/O (a Spectre mitigation), so
 * there CPU-only stages read 0 and only waits (profile read, cold catalog load) show.
 */
import type { Context } from 'hono';
import type { Config } from './config';
import { explainPermitted } from './explain-permission';

export type TimingStage = 'parse' | 'consent' | 'profile' | 'decide' | 'sign' | 'serialise' | 'total';

export class ServerTiming {
  private readonly entries: [TimingStage, number][] = [];
  private readonly startMs: number;
  private lapMs: number;

  constructor(private readonly clock: () => number = () => performance.now()) {
    this.startMs = clock();
    this.lapMs = this.startMs;
  }

  now(): number {
    return this.clock();
  }

  /** The time since the previous lap (or the start) as `stage`. */
  lap(stage: TimingStage): void {
    const now = this.clock();
    this.entries.push([stage, now - this.lapMs]);
    this.lapMs = now;
  }

  /** Moves the lap start without recording: the time since was reported as spans. */
  resume(): void {
    this.lapMs = this.clock();
  }

  /** A span that began at `sinceMs` (from `now()`): work that runs beside the laps. */
  span(stage: TimingStage, sinceMs: number): void {
    this.entries.push([stage, this.clock() - sinceMs]);
  }

  /** The header value, with `total` since construction appended. */
  header(): string {
    const all: [TimingStage, number][] = [...this.entries, ['total', this.clock() - this.startMs]];
    return all.map(([stage, ms]) => `${stage};dur=${Math.max(0, Math.round(ms * 100) / 100)}`).join(', ');
  }
}

/** Whether the request asks for timings (`?timing=1` or `?debug=1`), before any permission check. */
function asked(c: Context): boolean {
  return c.req.query('timing') === '1' || c.req.query('debug') === '1';
}

/** A timer for this request, or null: not asked for, or the caller may not see it. */
export function serverTimingFor(c: Context<{ Bindings: Env }>, cfg: Config): ServerTiming | null {
  return asked(c) && explainPermitted(c, cfg) ? new ServerTiming() : null;
}
