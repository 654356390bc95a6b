/**
 * Who must not see a line item even though its targeting matches: recent converters, users at
 * a frequency cap, and the campaign's holdout (control) group.
 */
import type { CompiledLineItem } from '../catalog/compile';
import type { CapScope, FrequencyCap, ProfileSnapshot } from '../model';

export function convertedRecently(li: CompiledLineItem, profile: ProfileSnapshot | null, nowMs: number): boolean {
  const { eventTypes, suppressWithinSec } = li.campaign.conversion;
  if (suppressWithinSec <= 0 || !profile) return false;
  const since = nowMs - suppressWithinSec * 1000;
  return eventTypes.some((t) => {
    const at = profile.conversions[`${t}@${li.advertiser.id}`];
    return at !== undefined && at > since;
  });
}

export function impressionKey(scope: CapScope, li: CompiledLineItem): string {
  return scope === 'lineItem' ? `li:${li.item.id}` : scope === 'campaign' ? `cmp:${li.campaign.id}` : `adv:${li.advertiser.id}`;
}

/** Impressions shown in `scope` within the last `windowSec` (times are ascending, newest last). */
export function impressionsWithin(profile: ProfileSnapshot | null, key: string, windowSec: number, nowMs: number): number {
  const times = profile?.impressions?.[key];
  if (!times) return 0;
  const since = nowMs - windowSec * 1000;
  let n = 0;
  for (let i = times.length - 1; i >= 0; i--) {
    const t = times[i];
    if (t === undefined || t <= since) break;
    if (t <= nowMs) n++;
  }
  return n;
}

export function frequencyCapped(
  li: CompiledLineItem,
  profile: ProfileSnapshot | null,
  nowMs: number,
  score: (modelId: string) => number | null,
): boolean {
  // Without a profile there is no impression history to count: caps cannot be enforced, and
  // contextual traffic is capped by the exchange's own controls, not ours.
  if (!profile) return false;
  return li.frequencyCaps.some((cap) => impressionsWithin(profile, impressionKey(cap.scope, li), cap.windowSec, nowMs) >= capMax(cap, score));
}

function capMax(cap: FrequencyCap, score: (modelId: string) => number | null): number {
  if (!cap.raiseFor) return cap.max;
  const s = score(cap.raiseFor.model);
  return s !== null && s >= cap.raiseFor.atLeast ? Math.max(cap.max, cap.raiseFor.raisedMax) : cap.max;
}

/**
 * Holdout assignment: a stable hash of user and campaign, so a user stays in (or out of) a
 * campaign's control group across requests, devices of the same profile and isolates, and
 * different campaigns draw independent groups. Basis points, so 2.5 % is exact.
 */
export function inHoldout(userHash: string | null, campaignId: string, holdoutPct: number): boolean {
  if (userHash === null || holdoutPct <= 0) return false;
  return stableBucket(`${userHash}|holdout|${campaignId}`, 10_000) < Math.round(holdoutPct * 100);
}

/** FNV-1a 32-bit of `s`, reduced to [0, buckets). Deterministic across runtimes. */
export function stableBucket(s: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % buckets;
}

/** A uniform point in [0, 1) fixed per user and line item: creative A/B arms stay put for a user. */
export function stableUnit(userHash: string, salt: string): number {
  return stableBucket(`${userHash}|ab|${salt}`, 1_000_000) / 1_000_000;
}
