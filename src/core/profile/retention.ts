/**
 * How long a profile remembers, in one place. Counters are kept as aggregates in time buckets,
 * never as raw events: hourly for the last week (windows up to 7 days are exact to the hour),
 * daily for 90 days (the longest window a rule, a lookalike count or a suppression can use).
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Hourly buckets cover this much: rule windows up to it are measured in hours. */
export const HOURLY_HORIZON_MS = 7 * DAY_MS;

/**
 * The longest window anything may look back: daily buckets, the last-seen time of an event
 * kind, conversions (so suppression windows up to 90 days), impressions and idempotency ids all
 * lapse here. The events API refuses events older than this.
 */
export const RETENTION_MS = 90 * DAY_MS;

/** Events stamped up to this far in the future (client clocks) are accepted and counted as "now". */
export const FUTURE_SKEW_MS = 5 * 60_000;

/** Bound on remembered event ids per profile (oldest events' ids are forgotten first). */
export const MAX_SEEN_IDS = 20_000;
