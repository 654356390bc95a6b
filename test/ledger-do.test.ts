/**
 * The CampaignLedger Durable Object through its typed RPC methods, on real SQLite storage, real
 * alarms (run on demand) and the real CATALOG KV namespace its pacing documents go to. Every test
 * uses its own campaign id, so no other test's traffic shows up in its counters.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { pacingKey, parsePacingDoc } from '../src/core/ledger/pacing-doc';
import type { CampaignLedger } from '../src/objects/campaign-ledger';
import { LedgerStore } from '../src/objects/ledger-store';
import { eventually } from './helpers';
import { batch, freshCampaign, hit, hoursRange, HOUR } from './ledger-helpers';

const report = (stub: ReturnType<typeof freshCampaign>['stub'], dim: string, range: { fromMs: number; toMs: number }, lift = false) =>
  stub.report({ ...range, dim, lift, lagSec: 80 });

const totals = (rows: { counters: Record<string, number> }[]) =>
  rows.reduce<Record<string, number>>((acc, r) => {
    for (const [k, v] of Object.entries(r.counters)) acc[k] = (acc[k] ?? 0) + v;
    return acc;
  }, {});

describe('CampaignLedger', () => {
  it('writes nothing when only read', async () => {
    const { stub } = freshCampaign();
    expect(await stub.pacingDoc()).toBeNull();
    expect((await report(stub, 'cmp', hoursRange(Date.now(), 1))).rows).toEqual([]);
    const tables = await runInDurableObject(stub, (_i: CampaignLedger, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray(),
    );
    expect(tables).toEqual([]);
  });

  it('counts each notice kind of a placement once and its spend once (first of win, bill, impression)', async () => {
    const { config, campaignId, stub } = freshCampaign();
    const t = Date.now();
    const first = await stub.apply(
      config,
      batch({
        hits: [
          hit(campaignId, 'win', 'r1', t, { cpm: 1_500_000 }),
          hit(campaignId, 'bill', 'r1', t, { cpm: 1_500_000 }),
          hit(campaignId, 'imp', 'r1', t),
          hit(campaignId, 'click', 'r1', t),
          // A second placement known only from its impression (the publisher path): spend at the bid price.
          hit(campaignId, 'imp', 'r2', t, { cpm: 2_000_000 }),
        ],
      }),
    );
    expect(first).toMatchObject({ hits: 5, duplicates: 0 });
    // The same hits again (a replay, or the queue redelivering) change nothing.
    const again = await stub.apply(config, batch({ hits: [hit(campaignId, 'win', 'r1', t), hit(campaignId, 'imp', 'r2', t), hit(campaignId, 'click', 'r1', t)] }));
    expect(again).toMatchObject({ hits: 0, duplicates: 3 });
    const sum = totals((await report(stub, 'cmp', hoursRange(t, 1))).rows);
    expect(sum).toMatchObject({ wins: 1, impressions: 2, clicks: 1, spendNanos: 3_500_000 });
    // Line item and creative dimensions carry the same counts.
    expect(totals((await report(stub, 'li:li-1', hoursRange(t, 1))).rows)).toMatchObject({ wins: 1, impressions: 2, spendNanos: 3_500_000 });
    expect(totals((await report(stub, 'cr:cr-1', hoursRange(t, 1))).rows)).toMatchObject({ clicks: 1 });
    const doc = await stub.pacingDoc();
    expect(doc).toMatchObject({ campaignId, spentTodayNanos: 3_500_000, spentTotalNanos: 3_500_000 });
  });

  it('buckets counters by the hour of the hit and keeps late notices out of today’s spend', async () => {
    const { config, campaignId, stub } = freshCampaign({ pacing: 'asap', dailyMicros: 1_000_000 });
    const now = Date.now();
    const yesterday = now - 25 * HOUR;
    await stub.apply(config, batch({ hits: [hit(campaignId, 'win', 'a', now), hit(campaignId, 'win', 'b', yesterday, { cpm: 3_000_000 })] }));
    const rows = (await report(stub, 'cmp', { fromMs: yesterday - HOUR, toMs: now + HOUR })).rows;
    expect(rows.map((r) => r.counters.spendNanos)).toEqual([3_000_000, 2_000_000]);
    expect(await stub.pacingDoc()).toMatchObject({ spentTodayNanos: 2_000_000, spentTotalNanos: 5_000_000 });
  });

  it('applies a decisions message once: bid counts, and holdout users for lift', async () => {
    const { config, stub } = freshCampaign();
    const t = Date.now();
    const decisions = [
      {
        id: crypto.randomUUID(),
        ts: t,
        bids: [{ cmp: config.campaignId, li: 'li-1', cr: 'cr-1', n: 4, w: 8 }],
        holdouts: [{ cmp: config.campaignId, li: 'li-1', u: 'user-h1' }],
      },
    ];
    expect(await stub.apply(config, batch({ decisions }))).toMatchObject({ bids: 4, holdouts: 1 });
    expect(await stub.apply(config, batch({ decisions }))).toMatchObject({ bids: 0, holdouts: 0, duplicates: 1 });
    expect(totals((await report(stub, 'cmp', hoursRange(t, 1))).rows)).toMatchObject({ bids: 4, holdouts: 1 });
  });

  it('attributes conversions after exposure to the exposed user’s line item and creative, once per event', async () => {
    const { config, campaignId, stub } = freshCampaign();
    const t = Date.now() - 10 * HOUR;
    await stub.apply(config, batch({ hits: [hit(campaignId, 'imp', 'r1', t, { u: 'user-e1', li: 'li-9', cr: 'cr-9' })] }));
    await stub.apply(config, batch({ decisions: [{ id: crypto.randomUUID(), ts: t, bids: [], holdouts: [{ cmp: campaignId, li: 'li-9', u: 'user-h1' }] }] }));
    const conv = (id: string, u: string, ts: number, type: 'purchase' | 'conversion' = 'purchase') => ({ t: 'conversion' as const, id, type, adv: 'adv-test', u, ts });
    const r = await stub.apply(
      config,
      batch({
        conversions: [
          conv('c1', 'user-e1', t + HOUR),
          conv('c1', 'user-e1', t + HOUR), // the same event twice in a batch
          conv('c0', 'user-e1', t - HOUR), // before the exposure: not caused by it
          conv('c2', 'user-e1', t + 2 * HOUR, 'conversion'), // not an event type this campaign counts
          conv('c3', 'user-h1', t + HOUR), // a held-out user: lift only
          conv('c4', 'user-unknown', t + HOUR),
        ],
      }),
    );
    expect(r.conversions).toBe(1);
    const range = { fromMs: t - 2 * HOUR, toMs: t + 3 * HOUR };
    expect(totals((await report(stub, 'cmp', range)).rows)).toMatchObject({ conversions: 1 });
    expect(totals((await report(stub, 'li:li-9', range)).rows)).toMatchObject({ conversions: 1 });
    expect(totals((await report(stub, 'cr:cr-9', range)).rows)).toMatchObject({ conversions: 1 });
    const lift = (await report(stub, 'cmp', range, true)).lift;
    expect(lift).toEqual({ exposed: { users: 1, converters: 1 }, holdout: { users: 1, converters: 1 } });
  });

  it('publishes its pacing document to KV behind changes, and keeps the budget settings when the catalog forgets the campaign', async () => {
    const { config, campaignId, stub } = freshCampaign({ pacing: 'asap', dailyMicros: 10 });
    await stub.apply(config, batch({ hits: [hit(campaignId, 'win', 'x', Date.now(), { cpm: 12_000 })] }));
    await stub.apply({ ...config, fromCatalog: false, conversionTypes: [] }, batch({}));
    // The alarm is due at once (nothing published yet); run it if it has not run by itself already.
    await runDurableObjectAlarm(stub);
    const doc = await eventually('the pacing document in KV', async () => parsePacingDoc(await env.CATALOG.get(pacingKey(campaignId), 'json')) ?? undefined);
    expect(doc).toMatchObject({ campaignId, spentTodayNanos: 12_000 });
    // $0.00001 daily budget = 10 000 nanos: spent. The report says so.
    const part = await report(stub, 'cmp', hoursRange(Date.now(), 1));
    expect(part.pacing).toMatchObject({ exhausted: true, reason: 'daily_exhausted', spentTodayMicros: 12, budget: { dailyMicros: 10 } });
  });

  it('prunes placements once their tokens have expired, on an hourly alarm', async () => {
    const { config, campaignId, stub } = freshCampaign();
    const past = Date.now() - 3 * 24 * HOUR;
    await stub.apply(config, batch({ hits: [hit(campaignId, 'imp', 'old', past, { exp: past + 24 * HOUR }), hit(campaignId, 'imp', 'new', Date.now())] }));
    const keys = () => runInDurableObject(stub, (_i: CampaignLedger, state) => state.storage.sql.exec('SELECT key FROM notices').toArray().map((r) => r.key));
    expect((await keys()).sort()).toEqual(['new|1', 'old|1']);
    // The publish alarm may be running at this moment (it is due at once) and replaces itself when
    // done: wait for the alarm that is set, rather than catching the gap in between.
    const alarm = await eventually('the ledger alarm', async () => (await runInDurableObject(stub, (_i: CampaignLedger, state) => state.storage.getAlarm())) ?? undefined);
    expect(alarm).toBeLessThanOrEqual(Date.now() + HOUR);
    // What the alarm does when the prune is due (an hour later):
    const left = await runInDurableObject(stub, (_i: CampaignLedger, state) => new LedgerStore(state.storage.sql).prune(Date.now()));
    expect(left).toBe(true);
    expect(await keys()).toEqual(['new|1']);
  });
});
