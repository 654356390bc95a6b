/**
 * Pacing at the edge: the isolate cache of pacing documents over the real CATALOG KV, and the
 * whole loop — spend applied to a real CampaignLedger, its alarm publishing the document, the
 * edge picking it up at its refresh interval and stopping the campaign. Campaign ids are the
 * test's own (the demo catalog's, suffixed), so no other test's spend shows up.
 */
import type { PacingState } from '../src/core/engine/request-context';
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../src/core/catalog/compile';
import { DEMO_CATALOG } from '../src/core/catalog/demo-catalog';
import type { Campaign, CatalogDocument } from '../src/core/model';
import { pacingKey, type PacingDoc } from '../src/core/ledger/pacing-doc';
import { dayWindow } from '../src/core/ledger/time';
import { createPacingStore, type PacingCall } from '../src/store/pacing';
import { eventually } from './helpers';
import { batch, hit, ledgerStub } from './ledger-helpers';

/** The demo catalog with its campaigns renamed for this test and `budget` on the first one. */
function catalogWith(budget: Campaign['budget']) {
  const suffix = crypto.randomUUID().slice(0, 8);
  const rename = (id: string) => `${id}-${suffix}`;
  const doc: CatalogDocument = {
    ...DEMO_CATALOG,
    campaigns: DEMO_CATALOG.campaigns.map((c, i) => ({ ...c, id: rename(c.id), ...(i === 0 && budget ? { budget } : {}) })),
    lineItems: DEMO_CATALOG.lineItems.map((li) => ({ ...li, campaignId: rename(li.campaignId) })),
  };
  const paced = doc.campaigns[0]?.id ?? '';
  return { catalog: compileCatalog(doc), paced, other: doc.campaigns[1]?.id ?? '' };
}

/** A request's call, with its background work collected so the test can wait for it. */
function call(nowMs = Date.now(), rng: () => number = () => 0.5) {
  const pending: Promise<unknown>[] = [];
  const c: PacingCall = { nowMs, waitUntil: (p) => pending.push(p), refreshSec: 15, lagSec: 80, rng };
  return { c, settled: () => Promise.all(pending) };
}

function doc(campaignId: string, over: Partial<PacingDoc> = {}): PacingDoc {
  const now = Date.now();
  return {
    v: 1,
    campaignId,
    asOfMs: now,
    dayStartMs: dayWindow(now).startMs,
    spentTodayNanos: 0,
    spentTotalNanos: 0,
    fullRateNanosPerSec: null,
    recentRateNanosPerSec: 0,
    ...over,
  };
}

/** No bid this time: the budget is spent, or pacing held the campaign back. */
const heldBack = (s: PacingState | undefined): boolean => s !== undefined && (s.exhausted || s.paced === true);

describe('edge pacing cache', () => {
  it('fails closed until the figures are loaded, then bids; campaigns without a budget are never paced', async () => {
    const { catalog, paced, other } = catalogWith({ pacing: 'asap', dailyMicros: 5_000_000 });
    const store = createPacingStore();
    const first = call();
    const cold = store.forRequest(env, catalog, first.c);
    expect(cold.lookup(paced)).toEqual({ multiplier: 1, exhausted: false, paced: true });
    expect(cold.lookup(other)).toBeUndefined();
    expect(cold.probability(other)).toBe(1);
    await first.settled();
    // Nothing published for it: nothing spent, bid.
    const warm = store.forRequest(env, catalog, call().c);
    expect(warm.lookup(paced)).toEqual({ multiplier: 1, exhausted: false, paced: false });
    expect(warm.probability(paced)).toBe(1);
  });

  it('stops a campaign whose published spend reached its daily budget, and reads KV again only after the refresh interval', async () => {
    const { catalog, paced } = catalogWith({ pacing: 'asap', dailyMicros: 5_000_000 });
    await env.CATALOG.put(pacingKey(paced), JSON.stringify(doc(paced, { spentTodayNanos: 5_000_000_000 })));
    const store = createPacingStore();
    const t0 = Date.now();
    const warmUp = call(t0);
    store.forRequest(env, catalog, warmUp.c);
    await warmUp.settled();
    expect(heldBack(store.forRequest(env, catalog, call(t0 + 1000).c).lookup(paced))).toBe(true);
    // New figures are published (nothing spent): this isolate sees them only after its refresh interval.
    await env.CATALOG.put(pacingKey(paced), JSON.stringify(doc(paced, { spentTodayNanos: 0 })));
    const early = call(t0 + 5_000);
    expect(heldBack(store.forRequest(env, catalog, early.c).lookup(paced))).toBe(true);
    await early.settled();
    const due = call(t0 + 16_000);
    store.forRequest(env, catalog, due.c);
    await due.settled();
    expect(heldBack(store.forRequest(env, catalog, call(t0 + 17_000).c).lookup(paced))).toBe(false);
  });

  it('lets a campaign through with its bid probability, drawn once per request', async () => {
    const { catalog, paced } = catalogWith({ pacing: 'even', dailyMicros: 864_000_000 }); // 1e7 nanos/s when even
    const now = Date.now();
    const day = dayWindow(now);
    // Exactly on the curve, demand 4× the even rate: a quarter of requests.
    const onCurve = Math.round((864_000_000_000 * (now - day.startMs)) / (day.endMs - day.startMs));
    await env.CATALOG.put(pacingKey(paced), JSON.stringify(doc(paced, { spentTodayNanos: onCurve, fullRateNanosPerSec: 4e7 })));
    const store = createPacingStore();
    const w = call(now);
    store.forRequest(env, catalog, w.c);
    await w.settled();
    let draws = 0;
    let bids = 0;
    for (let i = 0; i < 2000; i++) {
      const u = (i + 0.5) / 2000;
      const r = store.forRequest(env, catalog, call(now, () => (draws++, u)).c);
      const a = r.lookup(paced);
      expect(r.lookup(paced)).toBe(a);
      if (a !== undefined && !heldBack(a)) bids++;
      expect(r.probability(paced)).toBeCloseTo(0.25, 1);
    }
    expect(draws).toBe(2000);
    expect(bids / 2000).toBeCloseTo(0.25, 1);
  });

  it('treats a document that does not parse as unknown: the campaign does not bid', async () => {
    const { catalog, paced } = catalogWith({ pacing: 'asap', totalMicros: 1_000_000 });
    await env.CATALOG.put(pacingKey(paced), '{"v":2,"campaignId":"x"}');
    const store = createPacingStore();
    const w = call();
    store.forRequest(env, catalog, w.c);
    await w.settled();
    expect(heldBack(store.forRequest(env, catalog, call().c).lookup(paced))).toBe(true);
  });

  it('closes the loop: spend past the budget at the ledger stops the campaign at the edge', async () => {
    const { catalog, paced } = catalogWith({ pacing: 'asap', dailyMicros: 3_000 }); // $0.003: two $2 CPM wins
    const ledger = ledgerStub(paced);
    const config = { campaignId: paced, advertiserId: 'adv-acme', conversionTypes: ['purchase' as const], fromCatalog: true, budget: { pacing: 'asap' as const, dailyMicros: 3_000 } };
    const store = createPacingStore();
    const t0 = Date.now();
    const before = call(t0);
    store.forRequest(env, catalog, before.c);
    await before.settled();
    expect(heldBack(store.forRequest(env, catalog, call(t0).c).lookup(paced))).toBe(false);
    await ledger.apply(config, batch({ hits: [hit(paced, 'win', 'a', t0), hit(paced, 'win', 'b', t0)] }));
    await runDurableObjectAlarm(ledger);
    await eventually('the ledger to publish', async () => ((await env.CATALOG.get(pacingKey(paced))) !== null ? true : undefined));
    const refresh = call(t0 + 15_000);
    store.forRequest(env, catalog, refresh.c);
    await refresh.settled();
    expect(heldBack(store.forRequest(env, catalog, call(t0 + 15_000).c).lookup(paced))).toBe(true);
  });
});
