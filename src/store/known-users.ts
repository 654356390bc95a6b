/**
 * The edge's copy of the known-users filter (published by src/objects/known-users.ts): lets the hot
 * path answer an id that has never had a profile without a Durable Object call or KV read.
 *
 * Rules, and why (the pattern of catalog-store.ts):
 * - A request never waits on KV for this. A copy older than the refresh interval is refreshed in
 *   the background (`waitUntil`): the recent list every time, the base only when the list names a
 *   different base version. Refreshes are guarded by a start time, not a shared promise.
 * - "Absent" is only ever said from a copy that is whole and recent. A cold isolate, a missing or
 *   invalid value, a list naming a base this isolate cannot read yet (KV propagation), or a copy
 *   last confirmed more than {@link STALE_AFTER_REFRESHES} intervals ago answer `unavailable`, and
 *   the hot path reads the profile as it would without the filter: fail open to the read.
 */
import { filterFromBytes, type KnownUsersFilter } from '../core/identity/known-users-filter';
import { log } from '../log';
import { baseMetadataSchema, parseRecent } from './known-users-values';
import { KNOWN_USERS_BASE_KEY, KNOWN_USERS_RECENT_KEY } from './profile-kv-keys';

/** `absent`: certainly no profile. `maybe`: read it. `unavailable`: no trustworthy copy; read it. */
export type KnownUsersAnswer = 'absent' | 'maybe' | 'unavailable';

/** A copy last confirmed this many refresh intervals ago is no longer trusted. */
export const STALE_AFTER_REFRESHES = 10;

/** The slice of KV read here (`Env['PROFILE_SNAPSHOTS']` satisfies it). */
export interface KnownUsersKv {
  get(key: string, type: 'text'): Promise<string | null>;
  getWithMetadata(key: string, type: 'arrayBuffer'): Promise<{ value: ArrayBuffer | null; metadata: unknown }>;
}

export interface KnownUsersCall {
  readonly nowMs: number;
  readonly refreshMs: number;
  readonly waitUntil: (p: Promise<unknown>) => void;
}

interface Copy {
  readonly filter: KnownUsersFilter;
  readonly baseVersion: number;
  readonly recent: ReadonlySet<string>;
  /** When the read that confirmed this copy started (conservative: the value may be newer). */
  readonly confirmedAtMs: number;
}

export interface KnownUsersStore {
  check(kv: KnownUsersKv, userHash: string, call: KnownUsersCall): KnownUsersAnswer;
  /** Reads KV now and lands the result (tests; the hot path only refreshes in the background). */
  refresh(kv: KnownUsersKv, nowMs: number): Promise<void>;
  /** Tests: what this isolate would answer, without refreshing. */
  peek(userHash: string, nowMs: number, refreshMs: number): KnownUsersAnswer;
  /** Tests: forget the copy, as a cold isolate. */
  clear(): void;
}

export function createKnownUsersStore(): KnownUsersStore {
  let copy: Copy | null = null;
  /** The recent list's text the copy was built from. */
  let copyRaw: string | null = null;
  let checkedAtMs = -Infinity;
  let refreshStartedAtMs: number | null = null;
  let landedStartMs = -Infinity;
  /** Logged once per change of state, not once per refresh (a missing filter would log every second). */
  let lastProblem: string | null = null;

  function answer(userHash: string, nowMs: number, refreshMs: number): KnownUsersAnswer {
    if (copy === null || nowMs - copy.confirmedAtMs > STALE_AFTER_REFRESHES * refreshMs) return 'unavailable';
    return copy.recent.has(userHash) || copy.filter.mightContain(userHash) ? 'maybe' : 'absent';
  }

  function problem(reason: string | null): void {
    if (reason !== null && reason !== lastProblem) log('warn', 'known_users_unavailable', { reason });
    lastProblem = reason;
  }

  async function refresh(kv: KnownUsersKv, startedAtMs: number): Promise<void> {
    try {
      const raw = await kv.get(KNOWN_USERS_RECENT_KEY, 'text');
      // Unchanged since the copy was built (the usual case between publishes): no parse, no zod.
      if (copy !== null && raw !== null && raw === copyRaw) {
        if (startedAtMs > landedStartMs) {
          landedStartMs = startedAtMs;
          copy = { ...copy, confirmedAtMs: startedAtMs };
        }
        return;
      }
      const recent = parseRecent(raw);
      if (recent === null) {
        problem('recent_missing_or_invalid');
        return;
      }
      let filter = copy?.baseVersion === recent.baseVersion ? copy.filter : null;
      if (filter === null) {
        const base = await kv.getWithMetadata(KNOWN_USERS_BASE_KEY, 'arrayBuffer');
        const meta = baseMetadataSchema.safeParse(base.metadata);
        // A list that names a base not visible here yet keeps the old copy (which ages out).
        if (base.value === null || !meta.success || meta.data.version !== recent.baseVersion) {
          problem('base_missing_or_other_version');
          return;
        }
        filter = filterFromBytes(new Uint8Array(base.value));
        if (filter === null) {
          problem('base_invalid');
          return;
        }
      }
      // A slower, earlier read never replaces what a later one landed.
      if (startedAtMs < landedStartMs) return;
      landedStartMs = startedAtMs;
      copy = { filter, baseVersion: recent.baseVersion, recent: new Set(recent.hashes), confirmedAtMs: startedAtMs };
      copyRaw = raw;
      problem(null);
    } catch {
      problem('kv_error');
    }
  }

  return {
    check(kv, userHash, call) {
      const due = call.nowMs - checkedAtMs >= call.refreshMs;
      const busy = refreshStartedAtMs !== null && call.nowMs - refreshStartedAtMs < call.refreshMs;
      if (due && !busy) {
        const startedAtMs = call.nowMs;
        refreshStartedAtMs = startedAtMs;
        checkedAtMs = startedAtMs;
        call.waitUntil(
          refresh(kv, startedAtMs).finally(() => {
            if (refreshStartedAtMs === startedAtMs) refreshStartedAtMs = null;
          }),
        );
      }
      return answer(userHash, call.nowMs, call.refreshMs);
    },
    refresh: (kv, nowMs) => refresh(kv, nowMs),
    peek: answer,
    clear() {
      copy = null;
      copyRaw = null;
      checkedAtMs = -Infinity;
      refreshStartedAtMs = null;
      landedStartMs = -Infinity;
      lastProblem = null;
    },
  };
}

/** The isolate's copy, shared by its requests. */
export const knownUsers = createKnownUsersStore();
