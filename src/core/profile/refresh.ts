/**
 * One step of profile upkeep, after events or when the object wakes: drop what lapsed,
 * re-evaluate the segment rules, and build the snapshot — a new version only when its content
 * changed, so a wake-up that changes nothing writes nothing to KV.
 */
import type { ProfileSnapshot } from '../model';
import { evaluateMemberships } from '../segments/evaluate';
import type { SegmentRule } from '../segments/rule-schema';
import { nextLapseMs, pruneState, type ProfileState, type Touched } from './profile-state';
import { buildSnapshot, sameContent, sameJson } from './snapshot';

export interface Refreshed {
  readonly snapshot: ProfileSnapshot;
  /** False when `previous` still says the same (it is returned as is). */
  readonly changed: boolean;
  /** When the profile should next wake to re-evaluate or prune (Infinity: nothing pending). */
  readonly nextWakeMs: number;
}

export function refresh(
  state: ProfileState,
  rules: readonly SegmentRule[],
  previous: ProfileSnapshot | null,
  nowMs: number,
  touched: Touched,
): Refreshed {
  pruneState(state, nowMs, touched);
  const { memberships, nextChangeMs } = evaluateMemberships(state, rules, state.memberships, nowMs);
  if (!sameJson(memberships, state.memberships)) {
    state.memberships = memberships;
    touched.doc = true;
  }
  const candidate = buildSnapshot(state, memberships, (previous?.version ?? 0) + 1, nowMs);
  const changed = previous === null || !sameContent(candidate, previous);
  return { snapshot: changed ? candidate : previous, changed, nextWakeMs: Math.min(nextChangeMs, nextLapseMs(state)) };
}
