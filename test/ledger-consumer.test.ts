/**
 * The ledger-events consumer: split by campaign, one apply per campaign, ack only what every
 * campaign it concerns applied, retry the rest, dead-letter bodies that can never apply,
 * conversions fanned out to the advertiser's campaigns from the real (demo) catalog.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { LedgerBatch } from '../src/core/ledger/messages';
import type { ApplyOutcome, LedgerConfig } from '../src/objects/campaign-ledger';
import { handleLedgerBatch, platformLedgerEffects, type LedgerEffects } from '../src/queue/ledger-consumer';
import { hit, HOUR } from './ledger-helpers';

type QueueMessageInit = Parameters<typeof createMessageBatch>[1][number];

function messages(bodies: readonly unknown[]): QueueMessageInit[] {
  return bodies.map((body, i) => ({ id: `m-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body }));
}

async function run(bodies: readonly unknown[], effects: (ctx: ExecutionContext) => LedgerEffects) {
  const batch = createMessageBatch('ledger-events', messages(bodies));
  const ctx = createExecutionContext();
  await handleLedgerBatch(batch, effects(ctx));
  await waitOnExecutionContext(ctx);
  return getQueueResult(batch, ctx);
}

/** The real effects, with the apply calls recorded and failing for `failFor` campaigns. */
function recording(failFor: ReadonlySet<string> = new Set()) {
  const calls: { config: LedgerConfig; batch: LedgerBatch }[] = [];
  const deadLettered: unknown[] = [];
  const make = (ctx: ExecutionContext): LedgerEffects => {
    const real = platformLedgerEffects(env, ctx);
    return {
      apply: (config, batch): Promise<ApplyOutcome> => {
        calls.push({ config, batch });
        if (failFor.has(config.campaignId)) return Promise.reject(new Error('object unavailable'));
        return real.apply(config, batch);
      },
      deadLetter: (body) => {
        deadLettered.push(body);
        return Promise.resolve();
      },
      catalog: () => real.catalog(),
    };
  };
  return { calls, deadLettered, make };
}

describe('ledger-events consumer', () => {
  it('makes one apply per campaign and acks every message', async () => {
    const a = `cmp-c-${crypto.randomUUID()}`;
    const b = `cmp-c-${crypto.randomUUID()}`;
    const t = Date.now();
    const rec = recording();
    const result = await run(
      [
        hit(a, 'win', 'r1', t),
        hit(a, 'imp', 'r1', t),
        hit(b, 'win', 'r2', t),
        { t: 'decisions', id: crypto.randomUUID(), ts: t, bids: [{ cmp: a, li: 'l', cr: 'c', n: 2, w: 2 }, { cmp: b, li: 'l', cr: 'c', n: 1, w: 4 }], holdouts: [] },
      ],
      rec.make,
    );
    expect(result.explicitAcks).toHaveLength(4);
    expect(result.retryMessages).toHaveLength(0);
    expect(rec.calls.map((c) => c.config.campaignId).sort()).toEqual([a, b].sort());
    const forA = rec.calls.find((c) => c.config.campaignId === a);
    expect(forA?.batch.hits).toHaveLength(2);
    expect(forA?.batch.decisions[0]?.bids).toEqual([{ cmp: a, li: 'l', cr: 'c', n: 2, w: 2 }]);
    // A campaign the catalog does not know keeps whatever settings its ledger has.
    expect(forA?.config.fromCatalog).toBe(false);
  });

  it('retries a message when one of the campaigns it concerns failed, and applying it again changes nothing', async () => {
    const ok = `cmp-c-${crypto.randomUUID()}`;
    const bad = `cmp-c-${crypto.randomUUID()}`;
    const t = Date.now();
    const shared = { t: 'decisions', id: crypto.randomUUID(), ts: t, bids: [{ cmp: ok, li: 'l', cr: 'c', n: 3, w: 3 }, { cmp: bad, li: 'l', cr: 'c', n: 1, w: 1 }], holdouts: [] };
    const first = await run([shared, hit(ok, 'win', 'r1', t)], recording(new Set([bad])).make);
    expect(first.explicitAcks).toHaveLength(1);
    expect(first.retryMessages).toHaveLength(1);
    // The redelivery: the campaign that applied it before counts nothing twice.
    const again = await run([shared], recording().make);
    expect(again.explicitAcks).toHaveLength(1);
    const stub = env.CAMPAIGN_LEDGER.get(env.CAMPAIGN_LEDGER.idFromName(ok));
    const { rows } = await stub.report({ fromMs: t - HOUR, toMs: t + HOUR, dim: 'cmp', lift: false, lagSec: 80 });
    expect(rows.reduce((n, r) => n + r.counters.bids, 0)).toBe(3);
  });

  it('dead-letters a body that can never apply', async () => {
    const rec = recording();
    const result = await run([{ t: 'hit', k: 'teleport' }, 'nonsense'], rec.make);
    expect(rec.deadLettered).toHaveLength(2);
    expect(result.explicitAcks).toHaveLength(2);
    expect(rec.calls).toHaveLength(0);
  });

  it("sends a conversion to every campaign of its advertiser that counts that event type, with the catalog's settings", async () => {
    const rec = recording();
    const conv = { t: 'conversion', id: `c-${crypto.randomUUID()}`, type: 'purchase', adv: 'adv-acme', u: `u-${crypto.randomUUID()}`, ts: Date.now() };
    const result = await run([conv, { ...conv, id: `c-${crypto.randomUUID()}`, adv: 'adv-nobody' }], rec.make);
    expect(result.explicitAcks).toHaveLength(2);
    const campaigns = rec.calls.map((c) => c.config.campaignId).sort();
    expect(campaigns).toContain('cmp-acme-retargeting');
    expect(campaigns.every((id) => id.startsWith('cmp-acme-'))).toBe(true);
    const retargeting = rec.calls.find((c) => c.config.campaignId === 'cmp-acme-retargeting');
    expect(retargeting?.config).toMatchObject({ advertiserId: 'adv-acme', fromCatalog: true, conversionTypes: ['purchase', 'conversion'] });
  });
});
