/**
 * Lookalike scores: a linear model over the advertiser's profile features, squashed to [0, 1]
 * with the logistic function. Features: segment membership (0/1), ln(1 + event count in a
 * window), and recency 2^(−age / half-life). Weights live in the catalog.
 */
import type { LookalikeModel, ProfileSnapshot } from '../model';
import { segmentKey } from '../segments/segment-key';
import { isMember } from './expr';

const DAY_MS = 86_400_000;

export function lookalikeScore(model: LookalikeModel, profile: ProfileSnapshot, nowMs: number): number {
  let z = model.intercept;
  for (const w of model.weights) {
    if ('segment' in w) {
      if (isMember(profile, segmentKey(w.segment, model.advertiserId), nowMs)) z += w.weight;
    } else if ('count' in w) {
      z += w.weight * Math.log1p(eventCount(profile, `${w.count}@${model.advertiserId}`, w.windowDays, nowMs));
    } else {
      const last = profile.activity?.[`${w.recency}@${model.advertiserId}`]?.lastMs;
      if (last !== undefined && last <= nowMs) z += w.weight * Math.pow(2, -(nowMs - last) / (w.halfLifeDays * DAY_MS));
    }
  }
  return 1 / (1 + Math.exp(-z));
}

/** Events in the last `windowDays` days, today included (day buckets, so exact to the day). */
export function eventCount(profile: ProfileSnapshot, key: string, windowDays: number, nowMs: number): number {
  const daily = profile.activity?.[key]?.daily;
  if (!daily) return 0;
  const today = Math.floor(nowMs / DAY_MS);
  let n = 0;
  for (const [day, count] of daily) if (day > today - windowDays && day <= today) n += count;
  return n;
}

/** Per-request memo: a model is scored at most once per request, whatever the number of line items. */
export function scorer(
  models: ReadonlyMap<string, LookalikeModel>,
  profile: ProfileSnapshot | null,
  nowMs: number,
): (modelId: string) => number | null {
  const memo = new Map<string, number | null>();
  return (modelId) => {
    const hit = memo.get(modelId);
    if (hit !== undefined) return hit;
    const model = models.get(modelId);
    const s = model && profile ? lookalikeScore(model, profile, nowMs) : null;
    memo.set(modelId, s);
    return s;
  };
}
