/**
 * CampaignLedger: one Durable Object per campaign (named by campaign id). The ledger queue's
 * consumer hands it its share of each batch — tracking hits, bid counts, holdout users,
 * conversions — and it keeps the campaign's counters in hourly buckets, daily and total spend in
 * integer nano-units, the audience for lift, and an estimate of demand for pacing.
 *
 * Every input is idempotent (hits by placement and kind, decisions by message id, conversions
 * by user and event id), and one batch commits as one transaction, so a redelivered batch
 * changes nothing. Spend is published to edges as a compact pacing document in KV
 * (`pacing:<campaignId>`), written behind by the alarm: at most every `PUBLISH_MS` while
 * spending, then once more when spending stops, so the document never claims a stale rate.
 */
import { DurableObject } from 'cloudflare:workers';
import { z } from 'zod';
import { addCounters, creativeDim, DIM_CAMPAIGN, lineItemDim, nanosToMicros, zeroCounters, type Counters } from '../core/ledger/counters';
import type { GroupCounts } from '../core/ledger/lift';
import type { LedgerBatch } from '../core/ledger/messages';
import { countsSpend, NOTICE_BITS, SPENT_BIT } from '../core/ledger/notice';
import { pacingPlan, type LedgerBudget } from '../core/ledger/pacing';
import { pacingKey, type PacingDoc } from '../core/ledger/pacing-doc';
import { EMPTY_WINDOW, fullRate, observe, recentRate, SLOT_SEC, type RateWindow } from '../core/ledger/rate-window';
import type { HourRow, PacingSummary } from '../core/ledger/report';
import { dayWindow, HOUR_MS, hourOf } from '../core/ledger/time';
import { RETENTION_MS } from '../core/profile/retention';
import { log } from '../log';
import { GROUP, LedgerStore, MESSAGE_DEDUPE_MS } from './ledger-store';

/** Spend reaches KV at most this often per campaign (KV takes about one write a second per key). */
export const PUBLISH_MS = 2_000;
/** Conversions count for users first exposed (or held out) at most this long before. */
export const ATTRIBUTION_MS = 30 * 86_400_000;
const PRUNE_EVERY_MS = HOUR_MS;
const MAX_KV_BACKOFF_MS = 60_000;

export interface LedgerConfig {
  readonly campaignId: string;
  readonly advertiserId: string;
  readonly budget?: LedgerBudget;
  /** Which conversion events count for this campaign. */
  readonly conversionTypes: readonly ('purchase' | 'conversion')[];
  /** False when the catalog no longer knows the campaign: the ledger keeps the settings it had. */
  readonly fromCatalog: boolean;
}

export interface ApplyOutcome {
  readonly hits: number;
  readonly duplicates: number;
  readonly bids: number;
  readonly holdouts: number;
  readonly conversions: number;
}

export interface LedgerReportQuery {
  readonly fromMs: number;
  readonly toMs: number;
  /** `cmp`, `li:<id>` or `cr:<id>`. */
  readonly dim: string;
  readonly lift: boolean;
  /** For the pacing summary: the propagation lag the edges assume. */
  readonly lagSec: number;
}

export interface LedgerReportPart {
  readonly rows: HourRow[];
  readonly lift?: { readonly exposed: GroupCounts; readonly holdout: GroupCounts };
  readonly pacing?: PacingSummary;
}

const budgetSchema = z.object({
  dailyMicros: z.number().optional(),
  totalMicros: z.number().optional(),
  pacing: z.enum(['even', 'asap']),
  timeZone: z.string().optional(),
});
const configSchema = z.object({
  campaignId: z.string(),
  advertiserId: z.string(),
  budget: budgetSchema.optional(),
  conversionTypes: z.array(z.enum(['purchase', 'conversion'])),
  fromCatalog: z.boolean(),
});
const purgeInput = z.array(z.string().min(1).max(256)).max(1000);
const slotSchema = z.object({ startSec: z.number(), spendNanos: z.number(), bids: z.number(), weightedBids: z.number() });
const stateSchema = z.object({
  config: configSchema.nullable(),
  dayStartMs: z.number(),
  spentTodayNanos: z.number(),
  spentTotalNanos: z.number(),
  window: z.object({ slots: z.array(slotSchema), firstSec: z.number().nullable(), lastRateNanosPerSec: z.number().nullable() }),
  /** Bumped by every change to the spend figures; published up to `publishedVersion`. */
  version: z.number(),
  publishedVersion: z.number(),
  lastPublishMs: z.number(),
  /** The recent rate the last published document claimed: while above 0 it must be refreshed. */
  publishedRecent: z.number(),
  nextPruneMs: z.number().nullable(),
  kvFailures: z.number(),
});
type LedgerState = Omit<z.infer<typeof stateSchema>, 'window' | 'config'> & { window: RateWindow; config: LedgerConfig | null };

const FRESH: LedgerState = {
  config: null,
  dayStartMs: 0,
  spentTodayNanos: 0,
  spentTotalNanos: 0,
  window: EMPTY_WINDOW,
  version: 0,
  publishedVersion: 0,
  lastPublishMs: 0,
  publishedRecent: 0,
  nextPruneMs: null,
  kvFailures: 0,
};

export class CampaignLedger extends DurableObject<Env> {
  private state: LedgerState;
  private readonly store: LedgerStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new LedgerStore(ctx.storage.sql);
    // Read-only on activation; the synchronous API reads SQLite in-thread.
    const parsed = stateSchema.safeParse(ctx.storage.kv.get('state'));
    this.state = parsed.success ? parsed.data : FRESH;
  }

  /** Applies one campaign's share of a queue batch; a repeat of anything already applied is skipped. */
  async apply(config: LedgerConfig, batch: LedgerBatch): Promise<ApplyOutcome> {
    if (!this.ctx.id.equals(this.env.CAMPAIGN_LEDGER.idFromName(config.campaignId))) throw new Error('campaign id does not name this object');
    // Read before the first write: no await may fall between the writes.
    const alarmAt = await this.ctx.storage.getAlarm();
    const nowMs = Date.now();
    const cfg = config.fromCatalog || !this.state.config ? config : this.state.config;
    const s: LedgerState = { ...this.state, config: cfg };
    const deltas = new Map<string, { hour: number; dim: string; c: Counters }>();
    const count = (atMs: number, dims: readonly string[], add: Partial<Counters>): void => {
      const hour = hourOf(atMs);
      for (const dim of dims) {
        const key = `${hour}|${dim}`;
        const d = deltas.get(key) ?? { hour, dim, c: zeroCounters() };
        addCounters(d.c, add);
        deltas.set(key, d);
      }
    };
    const out = { hits: 0, duplicates: 0, bids: 0, holdouts: 0, conversions: 0 };
    let spend = 0;
    let weighted = 0;
    this.ctx.storage.transactionSync(() => {
      for (const h of batch.hits) {
        const key = `${h.b}|${h.i}`;
        const kinds = this.store.kinds(key);
        const bit = NOTICE_BITS[h.k];
        if (kinds & bit) {
          out.duplicates++;
          continue;
        }
        out.hits++;
        let next = kinds | bit;
        const dims = [DIM_CAMPAIGN, lineItemDim(h.li), creativeDim(h.cr)];
        const add: Partial<Counters> = {};
        if ((h.k === 'win' || h.k === 'bill') && !(kinds & (NOTICE_BITS.win | NOTICE_BITS.bill))) add.wins = 1;
        if (h.k === 'imp') add.impressions = 1;
        if (h.k === 'click') add.clicks = 1;
        if (countsSpend(h.k) && !(kinds & SPENT_BIT)) {
          next |= SPENT_BIT;
          add.spendNanos = h.cpm;
          spend += h.cpm;
          this.countSpend(s, h.ts, h.cpm);
        }
        this.store.remember(key, next, h.exp);
        count(h.ts, dims, add);
        if (h.k === 'imp' && h.u !== undefined && !this.store.purged(h.u)) this.store.enrol(h.u, GROUP.exposed, h.ts, h.li, h.cr);
      }
      for (const d of batch.decisions) {
        const key = `m:${d.id}`;
        if (this.store.kinds(key) !== 0) {
          out.duplicates++;
          continue;
        }
        this.store.remember(key, 1, d.ts + MESSAGE_DEDUPE_MS);
        for (const b of d.bids) {
          count(d.ts, [DIM_CAMPAIGN, lineItemDim(b.li), creativeDim(b.cr)], { bids: b.n });
          out.bids += b.n;
          weighted += b.w;
        }
        for (const hd of d.holdouts) {
          count(d.ts, [DIM_CAMPAIGN, lineItemDim(hd.li)], { holdouts: 1 });
          if (!this.store.purged(hd.u)) this.store.enrol(hd.u, GROUP.holdout, d.ts, hd.li, null);
          out.holdouts++;
        }
      }
      for (const cv of batch.conversions) {
        if (!cfg.conversionTypes.includes(cv.type)) continue;
        // Only conversions after the user was first exposed (or held out), within the window.
        // Nothing is stored for any other (an erased user has no audience row, so stays unstored).
        const who = this.store.audience(cv.u);
        if (!who || cv.ts < who.firstMs || cv.ts > who.firstMs + ATTRIBUTION_MS) continue;
        const key = `c:${cv.u}|${cv.id}`;
        if (this.store.kinds(key) !== 0) {
          out.duplicates++;
          continue;
        }
        // Events up to 90 days old are accepted and may be resent any time: remember the id as
        // long as such a resend can arrive, not just as long as queue redelivery.
        this.store.remember(key, 1, Math.max(cv.ts, nowMs) + RETENTION_MS);
        if (who.convertedMs === null) this.store.markConverted(cv.u, cv.ts);
        if (who.grp === GROUP.exposed) {
          const dims = [DIM_CAMPAIGN, ...(who.li !== null ? [lineItemDim(who.li)] : []), ...(who.cr !== null ? [creativeDim(who.cr)] : [])];
          count(cv.ts, dims, { conversions: 1 });
          out.conversions++;
        }
      }
      for (const d of deltas.values()) this.store.addCounters(d.hour, d.dim, d.c);
      if (spend > 0 || out.bids > 0) {
        s.window = observe(s.window, nowMs, { spendNanos: spend, bids: out.bids, weightedBids: weighted });
        s.version++;
      }
      if (deltas.size > 0 && s.nextPruneMs === null) s.nextPruneMs = nowMs + PRUNE_EVERY_MS;
      this.ctx.storage.kv.put('state', s);
    });
    this.state = s;
    const due = Math.min(s.version > s.publishedVersion ? Math.max(nowMs, s.lastPublishMs + PUBLISH_MS) : Infinity, s.nextPruneMs ?? Infinity);
    // Keep an earlier alarm; one at or before now may be the one running right now.
    if (Number.isFinite(due) && (alarmAt === null || alarmAt <= nowMs || alarmAt > due)) await this.ctx.storage.setAlarm(due);
    return out;
  }

  /**
   * The erase: deletes these users' audience rows and conversion keys and refuses their exposure
   * and conversions for `PURGE_BLOCK_MS` (those already in flight). Returns what is left (0).
   */
  async purgeUsers(hashes: readonly string[]): Promise<number> {
    const users = purgeInput.parse(hashes);
    const alarmAt = await this.ctx.storage.getAlarm();
    const nowMs = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.store.purgeUsers(users, nowMs);
      if (this.state.nextPruneMs === null) {
        this.state = { ...this.state, nextPruneMs: nowMs + PRUNE_EVERY_MS };
        this.ctx.storage.kv.put('state', this.state);
      }
    });
    const prune = this.state.nextPruneMs ?? nowMs + PRUNE_EVERY_MS;
    if (alarmAt === null || alarmAt > prune) await this.ctx.storage.setAlarm(prune);
    return this.store.userRows(users);
  }

  /** For the erase's read-back: audience rows and conversion keys still held for these users. */
  userRows(hashes: readonly string[]): number {
    return this.store.userRows(purgeInput.parse(hashes));
  }

  private countSpend(s: LedgerState, atMs: number, nanos: number): void {
    s.spentTotalNanos += nanos;
    const day = dayWindow(atMs, s.config?.budget?.timeZone).startMs;
    // A late notice of an earlier day is that day's spend, not today's.
    if (day < s.dayStartMs) return;
    if (day > s.dayStartMs) {
      s.dayStartMs = day;
      s.spentTodayNanos = 0;
    }
    s.spentTodayNanos += nanos;
  }

  /** The pacing document as of now; null before the ledger knows its campaign. */
  pacingDoc(nowMs = Date.now()): PacingDoc | null {
    const { config, window } = this.state;
    if (!config) return null;
    return {
      v: 1,
      campaignId: config.campaignId,
      asOfMs: nowMs,
      dayStartMs: this.state.dayStartMs,
      spentTodayNanos: this.state.spentTodayNanos,
      spentTotalNanos: this.state.spentTotalNanos,
      fullRateNanosPerSec: fullRate(window, nowMs),
      recentRateNanosPerSec: recentRate(window, nowMs),
    };
  }

  report(q: LedgerReportQuery): LedgerReportPart {
    const rows = this.store.rows(q.dim, hourOf(q.fromMs), hourOf(q.toMs));
    const part: { rows: HourRow[]; lift?: LedgerReportPart['lift']; pacing?: PacingSummary } = { rows };
    if (q.lift) {
      const cohorts = this.store.cohorts(q.fromMs, q.toMs);
      const none = { users: 0, converters: 0 };
      part.lift = { exposed: cohorts.get(GROUP.exposed) ?? none, holdout: cohorts.get(GROUP.holdout) ?? none };
    }
    const budget = this.state.config?.budget;
    if (budget) {
      const nowMs = Date.now();
      const plan = pacingPlan(budget, this.pacingDoc(nowMs), nowMs, { lagSec: q.lagSec });
      part.pacing = {
        budget,
        spentTodayMicros: nanosToMicros(plan.spentTodayNanos),
        spentTotalMicros: nanosToMicros(plan.spentTotalNanos),
        bidProbability: plan.bidProbability,
        exhausted: plan.exhausted,
        reason: plan.reason,
      };
    }
    return part;
  }

  /** Publishes the pacing document behind changes, and prunes what no replay can reach any more. */
  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    const s = { ...this.state };
    let next = Infinity;
    const doc = this.pacingDoc(nowMs);
    if (doc && (s.version > s.publishedVersion || s.publishedRecent > 0)) {
      const version = s.version;
      try {
        await this.env.CATALOG.put(pacingKey(doc.campaignId), JSON.stringify(doc));
        s.publishedVersion = version;
        s.publishedRecent = doc.recentRateNanosPerSec;
        s.lastPublishMs = nowMs;
        s.kvFailures = 0;
      } catch (err) {
        s.kvFailures++;
        log('warn', 'pacing_publish_failed', { error: err instanceof Error ? err.name : 'unknown', failures: s.kvFailures });
        next = nowMs + Math.min(MAX_KV_BACKOFF_MS, PUBLISH_MS * 2 ** s.kvFailures);
      }
    }
    // Figures may have changed while KV was being written: carry over what applies did meanwhile.
    const latest = this.state;
    const merged: LedgerState = { ...latest, publishedVersion: s.publishedVersion, publishedRecent: s.publishedRecent, lastPublishMs: s.lastPublishMs, kvFailures: s.kvFailures };
    if (merged.nextPruneMs !== null && nowMs >= merged.nextPruneMs) {
      merged.nextPruneMs = this.store.prune(nowMs) ? nowMs + PRUNE_EVERY_MS : null;
    }
    if (merged.version > merged.publishedVersion) next = Math.min(next, Math.max(nowMs, merged.lastPublishMs + PUBLISH_MS));
    else if (merged.publishedRecent > 0) next = Math.min(next, nowMs + SLOT_SEC * 1000);
    next = Math.min(next, merged.nextPruneMs ?? Infinity);
    this.ctx.storage.kv.put('state', merged);
    this.state = merged;
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
  }
}
