/**
 * The `ledger-events` consumer: splits a batch by campaign and makes one `apply` RPC per
 * campaign ledger. A message can concern several campaigns (a decisions message sums a whole
 * isolate's bids; a conversion goes to every campaign of its advertiser that counts that event);
 * it is acked once every campaign it concerns has applied it, else retried with backoff — the
 * ledgers apply idempotently, so a partly applied message applied again changes nothing. After
 * `max_retries` the queue moves it to `ledger-events-dlq`; a body that can never apply goes there
 * at once. Campaign settings (budget, conversion events) come from the isolate's catalog.
 */
import type { CompiledCatalog } from '../core/catalog/compile';
import { ledgerMessageSchema, type BidRow, type ConversionMessage, type HitMessage, type HoldoutRow, type LedgerBatch } from '../core/ledger/messages';
import { ledgerBudget } from '../core/ledger/pacing';
import { config } from '../http/config';
import { log } from '../log';
import type { ApplyOutcome, LedgerConfig } from '../objects/campaign-ledger';
import { EMPTY_CATALOG, getCatalog } from '../store/catalog-store';

export const LEDGER_QUEUE = 'ledger-events';

/** A cold catalog load may take this long here: nobody is waiting on a bid. */
const CATALOG_LOAD_MS = 5_000;

export interface LedgerEffects {
  apply(config: LedgerConfig, batch: LedgerBatch): Promise<ApplyOutcome>;
  deadLetter(body: unknown): Promise<void>;
  /** The current catalog, or null when none could be loaded. */
  catalog(): Promise<CompiledCatalog | null>;
}

export function platformLedgerEffects(env: Env, ctx: ExecutionContext): LedgerEffects {
  return {
    apply: (cfg, batch) => env.CAMPAIGN_LEDGER.get(env.CAMPAIGN_LEDGER.idFromName(cfg.campaignId)).apply(cfg, batch),
    deadLetter: async (body) => {
      await env.LEDGER_EVENTS_DLQ.send(body, { contentType: 'json' });
    },
    catalog: async () => {
      const waitUntil = (p: Promise<unknown>): void => {
        ctx.waitUntil(p);
      };
      const catalog = await getCatalog(env, waitUntil, Date.now(), { refreshSec: config(env).catalogRefreshSec, coldLoadMs: CATALOG_LOAD_MS });
      return catalog === EMPTY_CATALOG ? null : catalog;
    },
  };
}

export function retryDelaySec(attempts: number): number {
  return Math.min(60, 2 ** Math.max(1, attempts));
}

interface Part {
  readonly campaignId: string;
  advertiserId: string | undefined;
  readonly hits: HitMessage[];
  readonly decisions: { id: string; ts: number; bids: BidRow[]; holdouts: HoldoutRow[] }[];
  readonly conversions: ConversionMessage[];
  readonly messages: Set<Message>;
}

/** Settings of a campaign the catalog knows; a campaign it no longer knows keeps its ledger's own. */
function configFor(part: Part, catalog: CompiledCatalog | null): LedgerConfig {
  const li = catalog?.lineItems.find((l) => l.campaign.id === part.campaignId);
  if (!li) return { campaignId: part.campaignId, advertiserId: part.advertiserId ?? '', conversionTypes: ['purchase', 'conversion'], fromCatalog: false };
  const budget = ledgerBudget(li.campaign);
  return {
    campaignId: part.campaignId,
    advertiserId: li.advertiser.id,
    conversionTypes: li.campaign.conversion.eventTypes,
    fromCatalog: true,
    ...(budget ? { budget } : {}),
  };
}

export async function handleLedgerBatch(batch: MessageBatch, effects: LedgerEffects): Promise<void> {
  const parts = new Map<string, Part>();
  const part = (campaignId: string, msg: Message): Part => {
    let p = parts.get(campaignId);
    if (!p) parts.set(campaignId, (p = { campaignId, advertiserId: undefined, hits: [], decisions: [], conversions: [], messages: new Set() }));
    p.messages.add(msg);
    return p;
  };
  const failed = new Set<Message>();
  const catalog = await effects.catalog().catch(() => null);

  for (const msg of batch.messages) {
    const parsed = ledgerMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      await deadLetter(msg, effects);
      continue;
    }
    const m = parsed.data;
    switch (m.t) {
      case 'hit': {
        const p = part(m.cmp, msg);
        p.advertiserId = m.adv;
        p.hits.push(m);
        break;
      }
      case 'decisions': {
        const byCampaign = new Map<string, { bids: BidRow[]; holdouts: HoldoutRow[] }>();
        const rowsOf = (cmp: string) => byCampaign.get(cmp) ?? byCampaign.set(cmp, { bids: [], holdouts: [] }).get(cmp);
        for (const b of m.bids) rowsOf(b.cmp)?.bids.push(b);
        for (const h of m.holdouts) rowsOf(h.cmp)?.holdouts.push(h);
        for (const [cmp, rows] of byCampaign) part(cmp, msg).decisions.push({ id: m.id, ts: m.ts, ...rows });
        if (byCampaign.size === 0) msg.ack();
        break;
      }
      case 'conversion': {
        // Without a catalog there is no telling which campaigns it concerns: try again later.
        if (!catalog) {
          failed.add(msg);
          break;
        }
        const campaigns = new Set<string>();
        for (const li of catalog.lineItems) {
          if (li.advertiser.id === m.adv && li.campaign.conversion.eventTypes.includes(m.type)) campaigns.add(li.campaign.id);
        }
        for (const cmp of campaigns) part(cmp, msg).conversions.push(m);
        if (campaigns.size === 0) msg.ack();
        break;
      }
    }
  }

  await Promise.all(
    [...parts.values()].map(async (p) => {
      try {
        await effects.apply(configFor(p, catalog), { hits: p.hits, decisions: p.decisions, conversions: p.conversions });
      } catch (err) {
        log('warn', 'ledger_apply_retry', { error: err instanceof Error ? err.name : 'unknown', messages: p.messages.size });
        for (const msg of p.messages) failed.add(msg);
      }
    }),
  );
  const settled = new Set<Message>();
  for (const p of parts.values()) {
    for (const msg of p.messages) {
      if (settled.has(msg)) continue;
      settled.add(msg);
      if (!failed.has(msg)) msg.ack();
    }
  }
  for (const msg of failed) msg.retry({ delaySeconds: retryDelaySec(msg.attempts) });
}

async function deadLetter(msg: Message, effects: LedgerEffects): Promise<void> {
  try {
    await effects.deadLetter(msg.body);
    log('warn', 'ledger_message_dead_lettered', { reason: 'invalid_body' });
    msg.ack();
  } catch {
    msg.retry({ delaySeconds: retryDelaySec(msg.attempts) });
  }
}
