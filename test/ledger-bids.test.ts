/**
 * The bid path feeding the ledgers: bid counts and held-out users travel from the decision, via
 * the isolate's outbox (flushed about once a second) and the ledger queue, into the campaign
 * ledgers; an impression pixel records the exposed user. Real bids on the demo catalog, so bid
 * counts are compared as "at least" (other tests bid too); users are the test's own.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { inHoldout } from '../src/core/engine/suppression';
import { hashUserKey } from '../src/http/crypto';
import type { CampaignLedger } from '../src/objects/campaign-ledger';
import { bannerRequest, event, eventually, fetchWorker, post } from './helpers';
import { HOUR, ledgerStub } from './ledger-helpers';

const RETARGETING = 'cmp-acme-retargeting';

async function bidsCounted(campaignId: string): Promise<number> {
  const now = Date.now();
  const { rows } = await ledgerStub(campaignId).report({ fromMs: now - 2 * HOUR, toMs: now + HOUR, dim: 'cmp', lift: false, lagSec: 80 });
  return rows.reduce((n, r) => n + r.counters.bids, 0);
}

function audienceGroup(campaignId: string, userHash: string) {
  return runInDurableObject(ledgerStub(campaignId), (_i: CampaignLedger, state) => {
    if (state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'audience'").toArray().length === 0) return undefined;
    const row = state.storage.sql.exec('SELECT grp FROM audience WHERE user = ?', userHash).toArray()[0];
    return typeof row?.grp === 'number' ? row.grp : undefined;
  });
}

/** First-party ids whose hash falls in (or out of) the retargeting campaign's 10 % holdout. */
async function usersWhere(heldOut: boolean, n: number): Promise<{ user: string; hash: string }[]> {
  const out: { user: string; hash: string }[] = [];
  while (out.length < n) {
    const user = `lb-${crypto.randomUUID()}`;
    const hash = await hashUserKey(env.USER_KEY_SECRET, { kind: 'uid', value: user });
    if (inHoldout(hash, RETARGETING, 10) === heldOut) out.push({ user, hash });
  }
  return out;
}

describe('bid path → ledger', () => {
  it('counts bids through the outbox', async () => {
    const before = await bidsCounted('cmp-acme-prospecting');
    for (let i = 0; i < 5; i++) expect((await post('/openrtb2/bid', bannerRequest(`lb-${crypto.randomUUID()}`))).status).toBe(200);
    // The outbox sends when a request finds its sums a flush interval old.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await post('/openrtb2/bid', bannerRequest(`lb-${crypto.randomUUID()}`))).status).toBe(200);
    await eventually('the bids to be counted', async () => ((await bidsCounted('cmp-acme-prospecting')) >= before + 6 ? true : undefined));
  });

  it('records a held-out cart abandoner as holdout and a served one, once its pixel fires, as exposed', async () => {
    const [held] = await usersWhere(true, 1);
    const [served] = await usersWhere(false, 1);
    if (!held || !served) throw new Error('no users');
    for (const u of [held, served]) expect((await post('/v1/events', { events: [event(u.user, 'add_to_cart', { productId: 'tent' })] })).status).toBe(202);
    // The served user gets retargeting once the profile has the cart; keep its impression URL.
    const adm = await eventually('the served user to be retargeted', async () => {
      const res = await post('/openrtb2/bid', bannerRequest(served.user));
      if (res.status !== 200) return undefined;
      const bid = (await res.json<{ seatbid: { bid: { adm: string; ext: { edgebid: { lineItemId: string } } }[] }[] }>()).seatbid[0]?.bid[0];
      return bid?.ext.edgebid.lineItemId === 'li-acme-cart-retargeting' ? bid.adm : undefined;
    });
    // The held-out user's bids are ghost bids for the campaign (the profile may lag: bid until one is held out).
    await eventually('the held-out user to be recorded', async () => {
      await post('/openrtb2/bid', bannerRequest(held.user));
      await new Promise((r) => setTimeout(r, 1100));
      await post('/openrtb2/bid', bannerRequest(`lb-${crypto.randomUUID()}`));
      return (await audienceGroup(RETARGETING, held.hash)) === 2 ? true : undefined;
    }, 20_000);
    // Fire the ad's tracking URLs (impression pixel and click; the click only redirects).
    const urls = [...adm.matchAll(/https?:\/\/[^"'\s<>]+\/v1\/t\/[A-Za-z0-9_.-]+/g)].map((m) => m[0]);
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) await fetchWorker(u, { redirect: 'manual' });
    expect(await eventually('the served user to be recorded as exposed', async () => audienceGroup(RETARGETING, served.hash))).toBe(1);
  }, 40_000);
});
