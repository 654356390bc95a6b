/**
 * Helpers for the profile tests: look inside a UserProfile's real storage, and move its clock.
 * Alarms and KV ignore fake timers, so time is moved by shifting every stored time back (whole
 * days, so hour and day buckets stay aligned), then evicting the object so it reloads.
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { ProfileEvent, ProfileSnapshot } from '../src/core/model';
import { DAY_MS, HOUR_MS } from '../src/core/profile/retention';
import type { UserProfile } from '../src/objects/user-profile';

export const stubOf = (userHash: string) => env.USER_PROFILE.get(env.USER_PROFILE.idFromName(userHash));
export type ProfileStub = ReturnType<typeof stubOf>;

export function freshUser() {
  const userHash = `h-${crypto.randomUUID()}`;
  return { userHash, stub: stubOf(userHash) };
}

/** An event `agoMs` before now, for `adv-acme` unless told otherwise. */
export function ev(userHash: string, id: string, type: ProfileEvent['type'], agoMs: number, extra: Partial<ProfileEvent> = {}): ProfileEvent {
  return { id, type, userHash, tsMs: Date.now() - agoMs, advertiserId: 'adv-acme', ...extra };
}

/** Everything the object stores: user tables, KV-API keys and the alarm. */
export function stored(stub: ProfileStub) {
  return runInDurableObject(stub, async (_instance: UserProfile, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
      .toArray()
      .map((t) => t.name),
    keys: [...(await state.storage.list()).keys()],
    alarm: await state.storage.getAlarm(),
  }));
}

export const sql = <T extends Record<string, SqlStorageValue>>(stub: ProfileStub, query: string, ...args: SqlStorageValue[]) =>
  runInDurableObject(stub, (_instance: UserProfile, state) => state.storage.sql.exec<T>(query, ...args).toArray());

export const kvSnapshot = (userHash: string) => env.PROFILE_SNAPSHOTS.get(userHash, 'json');

/** The snapshot with its tuples restored (the RPC result type widens them; the value is the same). */
export async function snapshotOf(stub: ProfileStub): Promise<ProfileSnapshot | null> {
  return (await stub.getSnapshot()) as ProfileSnapshot | null;
}

/**
 * Moves the profile `days` into the future: every stored time (counters, remembered ids, the
 * document, the snapshot) moves back by that much, and a pending alarm waits for the test to run
 * it. The object is evicted so it reloads what was rewritten.
 */
export async function age(stub: ProfileStub, days: number): Promise<void> {
  const shiftMs = days * DAY_MS;
  await runInDurableObject(stub, async (_instance: UserProfile, state) => {
    const db = state.storage.sql;
    const hasTable = (n: string) => db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", n).toArray().length > 0;
    if (hasTable('series')) {
      for (const row of db.exec<{ advertiser: string; sub: string; last_ms: number; hours: string; days: string }>('SELECT * FROM series').toArray()) {
        const shift = (json: string, per: number) => JSON.stringify((JSON.parse(json) as number[][]).map(([i = 0, n = 0, v = 0]) => [i - shiftMs / per, n, v]));
        db.exec(
          'UPDATE series SET last_ms = ?, hours = ?, days = ? WHERE advertiser = ? AND sub = ?',
          row.last_ms - shiftMs,
          shift(row.hours, HOUR_MS),
          shift(row.days, DAY_MS),
          row.advertiser,
          row.sub,
        );
      }
    }
    if (hasTable('seen')) db.exec('UPDATE seen SET ts = ts - ?', shiftMs);
    const doc = state.storage.kv.get<{ memberships: Record<string, { sinceMs: number; expiresAtMs: number }>; impressions: Record<string, number[]>; carts: Record<string, { tsMs: number }> }>('doc');
    if (doc) {
      for (const m of Object.values(doc.memberships)) Object.assign(m, { sinceMs: m.sinceMs - shiftMs, expiresAtMs: m.expiresAtMs - shiftMs });
      for (const [k, times] of Object.entries(doc.impressions)) doc.impressions[k] = times.map((t) => t - shiftMs);
      for (const c of Object.values(doc.carts)) c.tsMs -= shiftMs;
      state.storage.kv.put('doc', doc);
    }
    const snap = state.storage.kv.get<ProfileSnapshot>('snapshot');
    if (snap) state.storage.kv.put('snapshot', shiftSnapshot(snap, shiftMs));
    // Whatever was due is due now; set far enough ahead that it waits for runDurableObjectAlarm
    // instead of firing by itself while the test looks.
    if ((await state.storage.getAlarm()) !== null) await state.storage.setAlarm(Date.now() + DAY_MS);
  });
  await evictDurableObject(stub);
}

function shiftSnapshot(s: ProfileSnapshot, ms: number): ProfileSnapshot {
  const map = <V, W>(r: Readonly<Record<string, V>> | undefined, f: (v: V) => W) => r && Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));
  return {
    ...s,
    updatedAtMs: s.updatedAtMs - ms,
    segments: map(s.segments, (m) => ({ sinceMs: m.sinceMs - ms, expiresAtMs: m.expiresAtMs - ms })) ?? {},
    conversions: map(s.conversions, (t) => t - ms) ?? {},
    ...(s.impressions ? { impressions: map(s.impressions, (ts) => ts.map((t) => t - ms)) } : {}),
    ...(s.activity ? { activity: map(s.activity, (a) => ({ lastMs: a.lastMs - ms, daily: a.daily.map(([d, n]) => [d - ms / DAY_MS, n] as const) })) } : {}),
  };
}
