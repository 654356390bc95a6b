/**
 * Former home of the hard-coded segments; they are rules now (rule-schema.ts, seed-rules.ts,
 * evaluate.ts) over bucketed counters (profile/). Kept only so existing importers compile until
 * they import from the new modules; add nothing here.
 */
export { DAY_MS, RETENTION_MS } from '../profile/retention';
export { segmentKey } from './segment-key';
