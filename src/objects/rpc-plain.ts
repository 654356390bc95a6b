/**
 * Durable Object RPC's types widen tuples to arrays (`readonly [day, count]` arrives typed as
 * `readonly number[]`), though the value received is the structured clone of exactly what the
 * method returned. These restore the declared types of our own objects' plain-data results, and
 * take only the RPC call they are for, so nothing else can be cast through them.
 */
import type { ProfileSnapshot } from '../core/model';
import type { ApplyResult, UserProfile } from './user-profile';

type ProfileStub = DurableObjectStub<UserProfile>;

/** For `getSnapshot()` and `getOwnSnapshot()` (the same result type). */
export async function snapshotOf(call: ReturnType<ProfileStub['getSnapshot']>): Promise<ProfileSnapshot | null> {
  return (await call) as ProfileSnapshot | null;
}

export async function applyResultOf(call: ReturnType<ProfileStub['applyEvents']>): Promise<ApplyResult> {
  return (await call) as ApplyResult;
}
