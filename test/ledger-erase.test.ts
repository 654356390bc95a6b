/**
 * The campaign ledgers and privacy: an erase deletes the person's lift-audience rows and
 * conversion keys in every catalog campaign's ledger (and the erase's read-back checks it), hits
 * and conversions in flight for the erased hashes are not recorded, and a conversion's dedupe key
 * outlives the hourly prune for as long as a resend of a 90-day-old event can arrive.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ConversionMessage } from '../src/core/ledger/messages';
import { linkKeyMaterial } from '../src/core/profile/link-keys';
import { hmacBase64Url } from '../src/http/crypto';
import type { CampaignLedger } from '../src/objects/campaign-ledger';
import { fetchWorker, ORIGIN } from './helpers';
import { batch, freshCampaign, hit, HOUR, ledgerStub } from './ledger-helpers';

const DAY = 24 * HOUR;

function conversion(u: string, id: string, ts: number): ConversionMessage {
  return { t: 'conversion', id, type: 'purchase', adv: 'adv-test', u, ts };
}

/** What the ledger's SQLite holds about `user`: audience rows and notice keys naming them. */
async function rowsAbout(stub: DurableObjectStub<CampaignLedger>, user: string) {
  return runInDurableObject(stub, (_: CampaignLedger, state: DurableObjectState) => {
    const sql = state.storage.sql;
    const audience = sql.exec('SELECT user FROM audience WHERE user = ?', user).toArray().length;
    const notices = sql.exec("SELECT key FROM notices WHERE key LIKE '%' || ? || '%'", user).toArray().map((r) => (typeof r.key === 'string' ? r.key : ''));
    return { audience, notices };
  });
}

async function prune(stub: DurableObjectStub<CampaignLedger>, atMs: number) {
  await runInDurableObject(stub, (instance: CampaignLedger) => (instance as unknown as { store: { prune(n: number): boolean } }).store.prune(atMs));
}

describe('ledger conversion dedupe', () => {
  it('a conversion resent after the hourly prune is not counted again (event 5 days old)', async () => {
    const { config, stub, campaignId } = freshCampaign();
    const now = Date.now();
    await stub.apply(config, batch({ hits: [hit(campaignId, 'imp', 'r1', now - 6 * DAY, { u: 'user-1', exp: now + DAY })] }));
    const conv = conversion('user-1', 'evt-late-1', now - 5 * DAY);
    expect((await stub.apply(config, batch({ conversions: [conv] }))).conversions).toBe(1);
    await prune(stub, now + HOUR);
    // Resent 80 days later (the events API accepts it while it is under 90 days old): still a duplicate.
    await prune(stub, now + 80 * DAY);
    const again = await stub.apply(config, batch({ conversions: [conv] }));
    expect(again).toMatchObject({ conversions: 0, duplicates: 1 });
    const report = await stub.report({ fromMs: now - 10 * DAY, toMs: now + HOUR, dim: 'cmp', lift: false, lagSec: 80 });
    expect(report.rows.reduce((n, r) => n + r.counters.conversions, 0)).toBe(1);
  });
});

describe('ledger purge', () => {
  it('deletes the users audience rows and conversion keys, and refuses their hits and conversions in flight', async () => {
    const { config, stub, campaignId } = freshCampaign();
    const now = Date.now();
    await stub.apply(config, batch({ hits: [hit(campaignId, 'imp', 'r1', now - HOUR, { u: 'gone-1' }), hit(campaignId, 'imp', 'r2', now - HOUR, { u: 'kept-1' })] }));
    await stub.apply(config, batch({ conversions: [conversion('gone-1', 'e1', now), conversion('kept-1', 'e2', now)] }));
    expect(await rowsAbout(stub, 'gone-1')).toEqual({ audience: 1, notices: ['c:gone-1|e1'] });

    expect(await stub.purgeUsers(['gone-1'])).toBe(0);
    expect(await stub.userRows(['gone-1'])).toBe(0);
    // Only the short-lived erase block names the user.
    expect(await rowsAbout(stub, 'gone-1')).toEqual({ audience: 0, notices: ['x:gone-1'] });
    expect(await rowsAbout(stub, 'kept-1')).toEqual({ audience: 1, notices: ['c:kept-1|e2'] });

    // An impression, a holdout and a conversion already queued when the erase ran.
    const late = await stub.apply(
      config,
      batch({
        hits: [hit(campaignId, 'imp', 'r3', now, { u: 'gone-1' })],
        decisions: [{ id: crypto.randomUUID(), ts: now, bids: [], holdouts: [{ cmp: campaignId, li: 'li-1', u: 'gone-1' }] }],
        conversions: [conversion('gone-1', 'e3', now + 1)],
      }),
    );
    expect(late).toMatchObject({ hits: 1, conversions: 0 });
    expect(await rowsAbout(stub, 'gone-1')).toEqual({ audience: 0, notices: ['x:gone-1'] });
    // The block itself lapses with the prune.
    await prune(stub, now + 5 * DAY);
    expect(await rowsAbout(stub, 'gone-1')).toEqual({ audience: 0, notices: [] });
  });

  it('a conversion of a user the ledger never saw exposed stores nothing about them', async () => {
    const { config, stub, campaignId } = freshCampaign();
    const now = Date.now();
    await stub.apply(config, batch({ hits: [hit(campaignId, 'imp', 'r1', now - HOUR, { u: 'someone-else' })], conversions: [conversion('stranger-1', 'e1', now)] }));
    expect(await rowsAbout(stub, 'stranger-1')).toEqual({ audience: 0, notices: [] });
  });
});

describe('DELETE /v1/users/:key and the ledgers', () => {
  it('removes the person from the ledger of every campaign in the catalog', async () => {
    const uid = `erase-ledger-${crypto.randomUUID()}`;
    const h = await hmacBase64Url(env.USER_KEY_SECRET, linkKeyMaterial({ kind: 'uid', value: uid }));
    const now = Date.now();
    const campaigns = ['cmp-acme-retargeting', 'cmp-nimbus-cross-sell'];
    for (const campaignId of campaigns) {
      const config = { campaignId, advertiserId: 'adv-acme', conversionTypes: ['purchase' as const], fromCatalog: true };
      await ledgerStub(campaignId).apply(config, batch({ hits: [hit(campaignId, 'imp', `r-${uid}`, now - HOUR, { u: h })], conversions: [conversion(h, `e-${uid}`, now)] }));
      expect((await rowsAbout(ledgerStub(campaignId), h)).audience).toBe(1);
    }
    const res = await fetchWorker(`${ORIGIN}/v1/users/${uid}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'erased', ids: 1, verified: true });
    for (const campaignId of campaigns) {
      expect(await rowsAbout(ledgerStub(campaignId), h)).toEqual({ audience: 0, notices: [`x:${h}`] });
    }
  });
});
