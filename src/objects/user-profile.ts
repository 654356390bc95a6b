/**
 * UserProfile: one Durable Object per (hashed) user key. Holds the person's counters in time
 * buckets, the ids of events already applied (so a redelivery applies once), and the snapshot the
 * hot path reads. The bid path only calls `getSnapshot()`, which never writes (a write would hold
 * the answer behind the output gate).
 *
 * Ids of one person are linked by `identify` events: the profile with the smaller hash absorbs the
 * other, which becomes a pointer (`aliasOf`) that forwards events and snapshot reads. The choice
 * does not depend on who started the merge, so two merges racing each other agree on a direction.
 *
 * The object is the only writer of its user's KV snapshot. One alarm does all deferred work: it
 * writes the newest snapshot behind a change (coalesced: at most one KV write per second per user,
 * KV's per-key limit), re-evaluates memberships when one starts or ends by time alone, prunes what
 * left the retention, and erases the whole profile, KV copy included, once nothing is left (links
 * to other ids count: they are kept the retention from the last merge).
 */
import { DurableObject } from 'cloudflare:workers';
import type { ProfileEvent, ProfileSnapshot } from '../core/model';
import { applyEvent, emptyState, isEmptyState, mergeState, newTouched, type ProfileState } from '../core/profile/profile-state';
import { refresh } from '../core/profile/refresh';
import { FUTURE_SKEW_MS, RETENTION_MS } from '../core/profile/retention';
import { optedOutSnapshot } from '../core/profile/snapshot';
import { stateFrom, type ExportedProfile } from '../core/profile/stored-state';
import type { SegmentRule } from '../core/segments/rule-schema';
import { effectiveRules } from '../core/segments/seed-rules';
import { parseSnapshot, SNAPSHOT_TTL_SEC } from '../core/segments/snapshot-schema';
import { log } from '../log';
import { EMPTY_CATALOG, getCatalog } from '../store/catalog-store';
import { aliasKey, erasedKey } from '../store/profile-kv-keys';
import { DEAD_LETTERS_NAME } from './dead-letters';
import { ProfileStorage, type IdentityDoc } from './profile-storage';
import { applyResultOf, snapshotOf } from './rpc-plain';

/** Changes within this delay share one KV write; it also spaces writes to KV's ~1/s per key. */
export const WRITE_BEHIND_MS = 1_000;
const MAX_WRITE_BACKOFF_MS = 60_000;
/** Pointer chains are compressed by every merge; a longer one means a bug, not a person. */
const MAX_ALIAS_HOPS = 4;
/** The consumer is not latency-bound: a cold catalog load may take this long before the seed rules stand in. */
const CATALOG_LOAD_MS = 5_000;
/** How soon memberships evaluated with stand-in rules are evaluated again. */
const PROVISIONAL_RULES_RETRY_MS = 60_000;

export type IgnoreReason = 'too_old' | 'too_new' | 'opted_out' | 'erased';

export interface ApplyResult {
  /** Ids newly applied by this call (the rest were duplicates or ignored). */
  readonly applied: readonly string[];
  readonly duplicates: number;
  /** Events deliberately not profiled, by reason (for `erased`, also ids an identify could not link). */
  readonly ignored: Readonly<Partial<Record<IgnoreReason, number>>>;
  /** The snapshot after the call; null when the profile holds nothing. */
  readonly snapshot: ProfileSnapshot | null;
}

/** A merge involving this profile is under way: the caller retries (the queue, with backoff). */
export class ProfileBusyError extends Error {
  override readonly name = 'ProfileBusyError';
}

export class UserProfile extends DurableObject<Env> {
  private readonly store: ProfileStorage;
  private snapshot: ProfileSnapshot | null;
  /** The KV key; stored by the first write, since an object cannot learn its name from its id. */
  private userHash: string | undefined;
  private identity: IdentityDoc;
  /** Loaded by the first write of an activation, then kept; null until then (reads never load it). */
  private state: ProfileState | null = null;
  /** The KV erase marker, looked up at most once per activation, and only when it matters. */
  private erasedMarker: boolean | undefined;
  /** Merges this object is absorbing right now; it refuses to be exported meanwhile. */
  private importing = 0;
  /** Consecutive failed KV calls, for the alarm's backoff; memory is enough (a restart retries sooner). */
  private kvFailures = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Read-only on activation: the bid path activates an object for every user id an exchange
    // sends, and a write here would give each of them storage and hold the answer on the output gate.
    this.store = new ProfileStorage(ctx.storage);
    const hash = this.store.get('userHash');
    this.userHash = typeof hash === 'string' ? hash : undefined;
    this.identity = safeIdentity(this.store);
    const raw = this.store.get('snapshot');
    this.snapshot = raw === undefined ? null : (parseSnapshot(raw) ?? this.rebuildUnparsed(raw));
  }

  /** Read-only; what the hot path asks for. A merged id answers with its person's profile. */
  async getSnapshot(): Promise<ProfileSnapshot | null> {
    const target = this.identity.aliasOf;
    return target === undefined ? this.snapshot : snapshotOf(this.stubOf(target).getOwnSnapshot());
  }

  /** This object's own snapshot, never forwarded (so a broken pointer cannot loop). */
  getOwnSnapshot(): ProfileSnapshot | null {
    return this.snapshot;
  }

  /**
   * Applies a batch of events idempotently (by event id), re-evaluates the segments and
   * schedules the KV write behind, then links the ids of any `identify` events. All writes of
   * the behavioural part commit as one transaction.
   */
  async applyEvents(userHash: string, events: readonly ProfileEvent[]): Promise<ApplyResult> {
    this.checkName(userHash);
    if (this.identity.exportingTo !== undefined) throw new ProfileBusyError('profile is being merged; retry');
    const target = this.identity.aliasOf;
    if (target !== undefined) return applyResultOf(this.stubOf(target).applyEvents(target, events));
    const blocked = await this.blockedReason(userHash);
    if (blocked !== null) return { applied: [], duplicates: 0, ignored: { [blocked]: events.length }, snapshot: this.snapshot };
    const result = await this.applyBehaviour(userHash, events.filter((e) => e.type !== 'identify'));
    const linked: string[] = [];
    let unlinkable = 0;
    for (const e of events) {
      if (e.type !== 'identify' || !e.links) continue;
      unlinkable += await this.link(userHash, e.links);
      linked.push(e.id);
    }
    if (linked.length === 0) return result;
    const ignored = unlinkable === 0 ? result.ignored : { ...result.ignored, erased: (result.ignored.erased ?? 0) + unlinkable };
    return { ...result, applied: [...result.applied, ...linked], ignored, snapshot: this.snapshot };
  }

  private async applyBehaviour(userHash: string, events: readonly ProfileEvent[]): Promise<ApplyResult> {
    const nowMs = Date.now();
    const ignored: Partial<Record<IgnoreReason, number>> = {};
    const count = (r: IgnoreReason): void => {
      ignored[r] = (ignored[r] ?? 0) + 1;
    };
    const fresh = events
      .filter((e) => {
        if (e.tsMs <= nowMs - RETENTION_MS) count('too_old');
        else if (e.tsMs > nowMs + FUTURE_SKEW_MS) count('too_new');
        else return true;
        return false;
      })
      .sort((a, b) => a.tsMs - b.tsMs);
    // Nothing to apply: write nothing, not even the tables (nothing would ever sweep them).
    if (fresh.length === 0) return { applied: [], duplicates: 0, ignored, snapshot: this.snapshot };
    const { rules, provisional } = await this.rules(nowMs);
    // Read before the first write: no await may fall between the writes and the alarm, so they commit as one.
    const alarmAt = await this.ctx.storage.getAlarm();
    const state = this.loadedState();
    const applied: string[] = [];
    let duplicates = 0;
    let outcome: { changed: boolean; nextWakeMs: number; snapshot: ProfileSnapshot } | null;
    try {
      outcome = this.ctx.storage.transactionSync(() => {
        const touched = newTouched();
        for (const e of fresh) {
          if (!this.store.markSeen(e.id, e.tsMs)) {
            duplicates++;
            continue;
          }
          applyEvent(state, e, nowMs, touched);
          applied.push(e.id);
        }
        if (applied.length === 0) return null;
        this.rememberUserHash(userHash);
        const r = refresh(state, rules, this.snapshot, nowMs, touched);
        this.store.writeTouched(state, touched);
        this.store.pruneSeen(nowMs);
        if (r.changed) this.store.put('snapshot', r.snapshot);
        return { changed: r.changed, nextWakeMs: provisional ? Math.min(r.nextWakeMs, nowMs + PROVISIONAL_RULES_RETRY_MS) : r.nextWakeMs, snapshot: r.snapshot };
      });
    } catch (err) {
      // The transaction rolled back; the in-memory state did not. Reload it next time.
      this.state = null;
      this.snapshot = this.reloadSnapshot();
      throw err;
    }
    if (outcome !== null) {
      if (outcome.changed) this.snapshot = outcome.snapshot;
      const due = Math.min(outcome.changed ? nowMs + WRITE_BEHIND_MS : Infinity, outcome.nextWakeMs);
      // Keep an earlier alarm (a write already pending coalesces this change); one at or before
      // now may be the alarm that is running right now, which is cleared when it returns.
      if (Number.isFinite(due) && (alarmAt === null || alarmAt <= nowMs || alarmAt > due)) await this.ctx.storage.setAlarm(due);
    }
    return { applied, duplicates, ignored, snapshot: this.snapshot };
  }

  // ---- identity: linking and merging -------------------------------------------------------

  /** The canonical profile of this id (following pointers). Read-only. */
  async canonical(selfHash: string, hops = 0): Promise<string> {
    this.checkName(selfHash);
    const next = this.identity.aliasOf ?? this.identity.exportingTo;
    if (next === undefined) return selfHash;
    if (hops >= MAX_ALIAS_HOPS) throw new Error('alias chain too long');
    return this.stubOf(next).canonical(next, hops + 1);
  }

  /**
   * Merges the profiles of `links` and this one into the one with the smallest hash. An erased id
   * is left out: another id of the person naming it is not the opt-in its erase waits for.
   * Returns how many ids were left out.
   */
  private async link(selfHash: string, links: readonly string[]): Promise<number> {
    if (await this.isErased(selfHash)) return links.length;
    let erased = 0;
    const canonicals = new Set([selfHash]);
    for (const h of links) {
      if (h === selfHash) continue;
      if ((await this.env.PROFILE_SNAPSHOTS.get(erasedKey(h))) !== null) erased++;
      else canonicals.add(await this.stubOf(h).canonical(h));
    }
    const target = [...canonicals].sort()[0] ?? selfHash;
    for (const from of canonicals) {
      if (from === target) continue;
      // The objects check again: an erase may have landed since the lookup above.
      const merged = target === selfHash ? await this.absorb(selfHash, from) : await this.stubOf(target).absorb(target, from);
      if (!merged) erased++;
    }
    return erased;
  }

  /**
   * Takes `fromHash`'s profile into this one: export (the other side stops taking events), merge
   * and store here, then tell the other side to forget and point here, and re-point its aliases.
   * Every step is idempotent, so a failure anywhere is retried by retrying the identify event.
   * False, with nothing merged, when either side is an erased id that holds nothing.
   */
  async absorb(selfHash: string, fromHash: string): Promise<boolean> {
    this.checkName(selfHash);
    if (fromHash === selfHash) return true;
    if (await this.erasedAndEmpty(selfHash)) return false;
    if (this.identity.aliasOf !== undefined || this.identity.exportingTo !== undefined) throw new ProfileBusyError('profile is itself being merged');
    this.importing++;
    try {
      const from = this.stubOf(fromHash);
      const exported = await from.beginExport(fromHash, selfHash);
      if (exported === null) return false;
      const { rules } = await this.rules(Date.now());
      if (this.mergeIn(selfHash, fromHash, exported, rules)) await this.scheduleSoon();
      await from.completeExport(fromHash, selfHash);
      for (const a of exported.aliases) await this.stubOf(a).repoint(a, selfHash);
      return true;
    } finally {
      this.importing--;
    }
  }

  /**
   * Hands this profile over to `intoHash`; from now on events here wait for the merge to finish.
   * Null for an erased id that holds nothing: it must not become a pointer to someone's profile.
   */
  async beginExport(selfHash: string, intoHash: string): Promise<ExportedProfile | null> {
    this.checkName(selfHash);
    if (this.identity.aliasOf === intoHash) return { doc: { memberships: {}, impressions: {}, carts: {} }, rows: [], seen: [], aliases: [], optedOut: false };
    if (await this.erasedAndEmpty(selfHash)) return null;
    if (this.importing > 0 || this.identity.aliasOf !== undefined) throw new ProfileBusyError('profile is busy with another merge');
    if (this.identity.exportingTo !== undefined && this.identity.exportingTo !== intoHash) throw new ProfileBusyError('profile is being merged elsewhere');
    if (this.identity.exportingTo === undefined) this.setIdentity({ ...this.identity, exportingTo: intoHash });
    return this.store.exportProfile(this.loadedState(), this.identity);
  }

  /** The merge is stored on the other side: forget everything here and point there. */
  async completeExport(selfHash: string, intoHash: string): Promise<void> {
    this.checkName(selfHash);
    if (this.identity.aliasOf !== intoHash) {
      if (this.identity.exportingTo !== intoHash) throw new Error('not exporting to this profile');
      this.ctx.storage.transactionSync(() => {
        this.store.wipeProfileData();
        this.setIdentity({ aliasOf: intoHash, aliases: [] });
      });
      this.state = null;
      this.snapshot = null;
      await this.ctx.storage.deleteAlarm();
    }
    // Also on a repeat: the KV writes of a first attempt may be what failed.
    await this.env.PROFILE_SNAPSHOTS.put(aliasKey(selfHash), intoHash);
    await this.env.PROFILE_SNAPSHOTS.delete(selfHash);
  }

  /** An id merged here earlier now belongs to `toHash` (its profile was merged on). */
  async repoint(selfHash: string, toHash: string): Promise<void> {
    this.checkName(selfHash);
    if (this.identity.aliasOf !== toHash) this.setIdentity({ aliasOf: toHash, aliases: [] });
    await this.env.PROFILE_SNAPSHOTS.put(aliasKey(selfHash), toHash);
  }

  /** Stores the merged profile; false when an earlier attempt already did. */
  private mergeIn(selfHash: string, fromHash: string, exported: ExportedProfile, rules: readonly SegmentRule[]): boolean {
    const aliases = [...new Set([...this.identity.aliases, fromHash, ...exported.aliases])].filter((a) => a !== selfHash);
    if (this.identity.aliases.includes(fromHash)) {
      // Merged by an earlier attempt; only the alias list may need the other side's aliases.
      if (aliases.length !== this.identity.aliases.length) this.setIdentity({ ...this.identity, aliases });
      return false;
    }
    const state = this.loadedState();
    const nowMs = Date.now();
    const optOut = exported.optedOut || this.store.optedOut();
    try {
      this.ctx.storage.transactionSync(() => {
        this.rememberUserHash(selfHash);
        this.setIdentity({ ...this.identity, aliases, linkedAtMs: nowMs });
        if (optOut) {
          // Opted out under any id means opted out as a person: nothing of either side is kept.
          this.optOutLocally(nowMs);
          return;
        }
        const touched = newTouched();
        mergeState(state, stateFrom(exported.doc, exported.rows), touched);
        this.store.importSeen(exported.seen);
        const r = refresh(state, rules, this.snapshot, nowMs, touched);
        this.store.writeTouched(state, touched);
        if (r.changed) {
          this.store.put('snapshot', r.snapshot);
          this.snapshot = r.snapshot;
        }
      });
    } catch (err) {
      this.state = null;
      this.snapshot = this.reloadSnapshot();
      throw err;
    }
    return true;
  }

  // ---- privacy -----------------------------------------------------------------------------

  /** No behavioural use from now on: the data goes, the opt-out (and the links) stay. */
  async optOut(selfHash: string): Promise<{ readonly profile: string; readonly aliases: number }> {
    this.checkName(selfHash);
    const target = this.identity.aliasOf;
    if (target !== undefined) return this.stubOf(target).optOut(target);
    if (this.identity.exportingTo !== undefined) throw new ProfileBusyError('profile is being merged; retry');
    this.ctx.storage.transactionSync(() => {
      this.rememberUserHash(selfHash);
      this.optOutLocally(Date.now());
    });
    await this.scheduleSoon();
    return { profile: selfHash, aliases: this.identity.aliases.length };
  }

  /** Consent given again: profiling may resume for this id (and, if it was erased, the marker goes). */
  async optIn(selfHash: string): Promise<{ readonly profile: string }> {
    this.checkName(selfHash);
    const target = this.identity.aliasOf;
    if (target !== undefined) return this.stubOf(target).optIn(target);
    await this.env.PROFILE_SNAPSHOTS.delete(erasedKey(selfHash));
    this.erasedMarker = false;
    if (this.store.optedOut()) {
      this.ctx.storage.transactionSync(() => {
        this.store.put('privacy', { optedOut: false });
        const empty: ProfileSnapshot = { version: this.version() + 1, updatedAtMs: Date.now(), segments: {}, conversions: {} };
        this.store.put('snapshot', empty);
        this.snapshot = empty;
      });
      await this.scheduleSoon();
    }
    return { profile: selfHash };
  }

  /**
   * Erases the person: every linked id's object and alias entry, the KV snapshot, dead letters,
   * and this object's storage, leaving only the erase markers. Returns the hashes erased.
   */
  async erase(selfHash: string): Promise<{ readonly hashes: readonly string[] }> {
    this.checkName(selfHash);
    const target = this.identity.aliasOf;
    if (target !== undefined) return this.stubOf(target).erase(target);
    if (this.identity.exportingTo !== undefined) throw new ProfileBusyError('profile is being merged; retry');
    const hashes = [selfHash, ...this.identity.aliases];
    for (const a of this.identity.aliases) await this.stubOf(a).eraseAlias(a, true);
    await this.eraseSelf(selfHash, hashes, true);
    return { hashes };
  }

  /** An id of an erased (or lapsed) person: its pointer, alias entry and storage go. */
  async eraseAlias(selfHash: string, marker: boolean): Promise<void> {
    this.checkName(selfHash);
    await this.env.PROFILE_SNAPSHOTS.delete(aliasKey(selfHash));
    await this.eraseSelf(selfHash, [selfHash], marker);
  }

  /** Read-only: whether this object stores nothing at all (how an erase is verified). */
  isEmpty(): Promise<boolean> {
    return this.store.isEmpty();
  }

  private async eraseSelf(selfHash: string, hashes: readonly string[], marker: boolean): Promise<void> {
    // Stop serving at once, whatever KV does next.
    this.snapshot = null;
    await this.env.PROFILE_SNAPSHOTS.delete(selfHash);
    if (marker) await this.env.PROFILE_SNAPSHOTS.put(erasedKey(selfHash), JSON.stringify({ atMs: Date.now() }));
    await this.env.DEAD_LETTERS.get(this.env.DEAD_LETTERS.idFromName(DEAD_LETTERS_NAME)).purgeUsers(hashes);
    await Promise.all([this.ctx.storage.deleteAlarm(), this.ctx.storage.deleteAll()]);
    this.store.forgetSchema();
    this.state = null;
    this.snapshot = null;
    this.userHash = undefined;
    this.identity = { aliases: [] };
    this.erasedMarker = marker;
    this.kvFailures = 0;
  }

  private optOutLocally(nowMs: number): void {
    this.store.wipeProfileData();
    this.store.put('privacy', { optedOut: true });
    const snapshot = optedOutSnapshot(this.version() + 1, nowMs);
    this.store.put('snapshot', snapshot);
    this.snapshot = snapshot;
    this.state = emptyState();
  }

  // ---- the alarm -------------------------------------------------------------------------

  /**
   * The deferred work: prune what lapsed and re-evaluate, write the newest snapshot to KV, or
   * erase the profile when nothing is left. A failed KV call is rescheduled here with our own
   * backoff rather than thrown: the platform gives up on an alarm after a few retries, and then the
   * KV copy would stay stale (or a lapsed profile undeleted) until the user's next event.
   */
  override async alarm(): Promise<void> {
    if (this.identity.aliasOf !== undefined) return;
    const nowMs = Date.now();
    let nextWakeMs = Infinity;
    if (!this.store.optedOut() && this.identity.exportingTo === undefined) {
      const { rules, provisional } = await this.rules(nowMs);
      let state: ProfileState;
      try {
        state = this.loadedState();
      } catch (err) {
        log('error', 'profile_unreadable', { error: err instanceof Error ? err.name : 'unknown' });
        return;
      }
      const touched = newTouched();
      const r = refresh(state, rules, this.snapshot, nowMs, touched);
      // Links are kept their own retention: a login before any behaviour must outlive this alarm.
      const linksKeptUntilMs = this.identity.aliases.length > 0 ? (this.identity.linkedAtMs ?? 0) + RETENTION_MS : -Infinity;
      const empty = isEmptyState(state);
      if (empty && linksKeptUntilMs <= nowMs) {
        await this.lapse();
        return;
      }
      this.ctx.storage.transactionSync(() => {
        this.store.writeTouched(state, touched);
        this.store.pruneSeen(nowMs);
        if (r.changed) this.store.put('snapshot', r.snapshot);
      });
      if (r.changed) this.snapshot = r.snapshot;
      nextWakeMs = provisional ? Math.min(r.nextWakeMs, nowMs + PROVISIONAL_RULES_RETRY_MS) : r.nextWakeMs;
      if (empty) nextWakeMs = Math.min(nextWakeMs, linksKeptUntilMs);
    }
    let retryAt: number | null = null;
    const latest = this.snapshot;
    if (latest !== null && latest.version > this.store.writtenVersion() && this.userHash !== undefined) {
      try {
        await this.env.PROFILE_SNAPSHOTS.put(this.userHash, JSON.stringify(latest), { expirationTtl: SNAPSHOT_TTL_SEC });
        // Writes happen one alarm at a time, each of the newest version, so KV never moves backwards.
        this.store.put('writtenVersion', latest.version);
        this.kvFailures = 0;
      } catch (err) {
        retryAt = this.kvBackoff(nowMs, err);
      }
    }
    // An apply may have landed while KV was being written: that newer version waits its turn.
    const afterMs = Date.now();
    const pending = this.version() > this.store.writtenVersion() && this.userHash !== undefined;
    await this.schedule(Math.min(retryAt ?? (pending ? afterMs + WRITE_BEHIND_MS : Infinity), nextWakeMs), afterMs);
  }

  /** Everything lapsed: the KV copy goes, linked ids go, then every stored byte. No erase marker. */
  private async lapse(): Promise<void> {
    this.snapshot = null;
    this.store.delete('snapshot');
    this.store.delete('writtenVersion');
    const hash = this.userHash;
    if (hash !== undefined) {
      try {
        await this.env.PROFILE_SNAPSHOTS.delete(hash);
        for (const a of this.identity.aliases) await this.stubOf(a).eraseAlias(a, false);
      } catch (err) {
        await this.schedule(this.kvBackoff(Date.now(), err), Date.now());
        return;
      }
    }
    // Events may have arrived while KV was called (the input gate was open): then the profile lives on.
    if (this.state !== null && !isEmptyState(this.state)) {
      await this.schedule(Date.now() + WRITE_BEHIND_MS, Date.now());
      return;
    }
    await Promise.all([this.ctx.storage.deleteAlarm(), this.ctx.storage.deleteAll()]);
    this.store.forgetSchema();
    this.state = null;
    this.userHash = undefined;
    this.identity = { aliases: [] };
    this.kvFailures = 0;
  }

  private kvBackoff(nowMs: number, err: unknown): number {
    this.kvFailures++;
    const delayMs = Math.min(MAX_WRITE_BACKOFF_MS, 1_000 * 2 ** this.kvFailures);
    log('warn', 'profile_snapshot_kv_retry', { error: err instanceof Error ? err.name : 'unknown', failures: this.kvFailures, delayMs });
    return nowMs + delayMs;
  }

  /** Sets the alarm to `atMs` (Infinity: none), unless an alarm is already due sooner. */
  private async schedule(atMs: number, nowMs: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (!Number.isFinite(atMs)) {
      if (current !== null && current > nowMs) await this.ctx.storage.deleteAlarm();
    } else if (current === null || current <= nowMs || current > atMs) {
      await this.ctx.storage.setAlarm(atMs);
    }
  }

  /** A write behind the change just made (merge, opt-out, opt-in). */
  private scheduleSoon(): Promise<void> {
    const nowMs = Date.now();
    return this.schedule(nowMs + WRITE_BEHIND_MS, nowMs);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /**
   * The segment rules of the published catalog (compiled and cached per isolate by the catalog
   * store, re-checked in the background). When no catalog can be loaded the seed rules stand in,
   * provisionally: the object wakes again soon and re-evaluates with the real ones.
   */
  private async rules(nowMs: number): Promise<{ readonly rules: readonly SegmentRule[]; readonly provisional: boolean }> {
    const refreshSec = Math.max(1, Number(this.env.CATALOG_REFRESH_SEC) || 15);
    const catalog = await getCatalog(
      this.env,
      (p) => {
        this.ctx.waitUntil(p);
      },
      nowMs,
      { refreshSec, coldLoadMs: CATALOG_LOAD_MS },
    );
    return { rules: catalog.segmentRules, provisional: catalog === EMPTY_CATALOG };
  }

  /** Why events for this profile must not be profiled at all, if they must not. */
  private async blockedReason(userHash: string): Promise<IgnoreReason | null> {
    if (this.store.optedOut()) return 'opted_out';
    return (await this.erasedAndEmpty(userHash)) ? 'erased' : null;
  }

  /** An erased id that has taken nothing since (only an opt-in lifts the marker). */
  private async erasedAndEmpty(userHash: string): Promise<boolean> {
    const id = this.identity;
    if (this.snapshot !== null || id.aliases.length > 0 || id.aliasOf !== undefined || id.exportingTo !== undefined || this.store.hasProfileData()) return false;
    return this.isErased(userHash);
  }

  /** The KV erase marker; only this object writes or deletes it, so one look per activation is enough. */
  private async isErased(userHash: string): Promise<boolean> {
    this.erasedMarker ??= (await this.env.PROFILE_SNAPSHOTS.get(erasedKey(userHash))) !== null;
    return this.erasedMarker;
  }

  private loadedState(): ProfileState {
    this.state ??= this.store.loadState();
    return this.state;
  }

  private setIdentity(next: IdentityDoc): void {
    this.store.put('identity', next);
    this.identity = next;
  }

  private rememberUserHash(userHash: string): void {
    if (this.userHash !== undefined) return;
    this.store.put('userHash', userHash);
    this.userHash = userHash;
  }

  /** A wrong key would make this object write another user's KV keys. */
  private checkName(userHash: string): void {
    if (!this.ctx.id.equals(this.env.USER_PROFILE.idFromName(userHash))) throw new Error('user hash does not name this object');
  }

  private stubOf(userHash: string): DurableObjectStub<UserProfile> {
    return this.env.USER_PROFILE.get(this.env.USER_PROFILE.idFromName(userHash));
  }

  private version(): number {
    return this.snapshot?.version ?? 0;
  }

  private reloadSnapshot(): ProfileSnapshot | null {
    const raw = this.store.get('snapshot');
    return raw === undefined ? null : parseSnapshot(raw);
  }

  /**
   * A stored snapshot an older deploy wrote in another shape is not trusted: rebuilt in memory
   * from the counters (read-only; the next write stores it), under a version above any it had.
   */
  private rebuildUnparsed(raw: unknown): ProfileSnapshot | null {
    log('warn', 'profile_snapshot_unparsed');
    let state: ProfileState;
    try {
      state = this.loadedState();
    } catch {
      return null;
    }
    if (isEmptyState(state)) return null;
    const old = typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'number' ? raw.version : 0;
    const base = Math.max(Number.isSafeInteger(old) ? old : 0, this.store.writtenVersion());
    // The constructor cannot wait for the catalog: the seed rules stand in until the next write.
    return { ...refresh(state, effectiveRules(undefined), null, Date.now(), newTouched()).snapshot, version: base + 1 };
  }
}

function safeIdentity(store: ProfileStorage): IdentityDoc {
  try {
    return store.identity();
  } catch {
    log('error', 'profile_identity_unreadable');
    return { aliases: [] };
  }
}
