/** Helpers for the campaign-ledger tests: a fresh campaign per test (no shared counters), message builders. */
import { env } from 'cloudflare:workers';
import type { HitMessage, LedgerBatch } from '../src/core/ledger/messages';
import type { LedgerConfig } from '../src/objects/campaign-ledger';

export const HOUR = 3_600_000;

export function freshCampaign(budget?: LedgerConfig['budget']) {
  const campaignId = `cmp-test-${crypto.randomUUID()}`;
  const config: LedgerConfig = {
    campaignId,
    advertiserId: 'adv-test',
    conversionTypes: ['purchase'],
    fromCatalog: true,
    ...(budget ? { budget } : {}),
  };
  return { campaignId, config, stub: ledgerStub(campaignId) };
}

export function ledgerStub(campaignId: string) {
  return env.CAMPAIGN_LEDGER.get(env.CAMPAIGN_LEDGER.idFromName(campaignId));
}

/** A hit of `kind` for placement `b`/`i` at `ts`; CPM $2.00 unless told. */
export function hit(campaignId: string, kind: HitMessage['k'], b: string, ts: number, over: Partial<HitMessage> = {}): HitMessage {
  return { t: 'hit', k: kind, b, i: '1', li: 'li-1', cr: 'cr-1', cmp: campaignId, adv: 'adv-test', cpm: 2_000_000, exp: ts + 24 * HOUR, ts, ...over };
}

export function batch(parts: Partial<LedgerBatch>): LedgerBatch {
  return { hits: [], decisions: [], conversions: [], ...parts };
}

/** Hours since the epoch → the ms range of those hours, for report queries. */
export function hoursRange(fromMs: number, hours: number) {
  const start = Math.floor(fromMs / HOUR) * HOUR;
  return { fromMs: start, toMs: start + hours * HOUR };
}
