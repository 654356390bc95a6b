/**
 * `DELETE /v1/users/:key` on the real runtime: a person with a profile, two linked ids (a device
 * ad id and a CRM id), a KV snapshot, alias entries and a dead letter; after the erase every
 * trace is gone — each object's storage empty, snapshot and aliases gone from KV, the dead letter
 * purged — and later events for any of those ids are not profiled until an opt-in.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { linkKeyMaterial, type LinkKey } from '../src/core/profile/link-keys';
import { hmacBase64Url } from '../src/http/crypto';
import { DEAD_LETTERS_NAME } from '../src/objects/dead-letters';
import { handleProfileBatch } from '../src/queue/profile-consumer';
import { aliasKey, erasedKey } from '../src/store/profile-kv-keys';
import { event, eventually, fetchWorker, ORIGIN, post } from './helpers';
import { snapshotOf, stored, stubOf } from './profile-helpers';

const hashOf = (key: LinkKey) => hmacBase64Url(env.USER_KEY_SECRET, linkKeyMaterial(key));
const deadLetters = () => env.DEAD_LETTERS.get(env.DEAD_LETTERS.idFromName(DEAD_LETTERS_NAME));

async function consume(body: unknown) {
  const batch = createMessageBatch('profile-events', [{ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await handleProfileBatch(batch, env);
  await waitOnExecutionContext(ctx);
  return getQueueResult(batch, ctx);
}

describe('erase', () => {
  it('removes every trace of the person under every linked id, and keeps them unprofiled until an opt-in', async () => {
    const uid = `erase-${crypto.randomUUID()}`;
    const ifa = crypto.randomUUID().toUpperCase();
    const crm = crypto.randomUUID().replaceAll('-', '');
    const [hUid, hIfa, hCrm] = await Promise.all([hashOf({ kind: 'uid', value: uid }), hashOf({ kind: 'ifa', value: ifa }), hashOf({ kind: 'crm', value: crm })]);
    const hashes = [hUid, hIfa, hCrm];

    // Behaviour under two ids, then the login that links them with a CRM id.
    expect((await post('/v1/events', { events: [event(uid, 'add_to_cart', { productId: 'tent-2p' })] })).status).toBe(202);
    expect((await post('/v1/events', { events: [event(ifa, 'product_view', { userKeyType: 'ifa' })] })).status).toBe(202);
    await eventually('both profiles', async () => ((await stubOf(hUid).getSnapshot()) && (await stubOf(hIfa).getSnapshot()) ? true : undefined));
    const identify = event(uid, 'identify', { links: [{ key: ifa, type: 'ifa' }, { key: crm, type: 'crm' }] });
    delete identify.advertiserId;
    expect((await post('/v1/events', { events: [identify] })).status).toBe(202);
    const canonical = [...hashes].sort()[0] ?? '';
    const person = await eventually('the ids to be merged', async () => {
      const s = await snapshotOf(stubOf(canonical));
      return s?.activity?.['add_to_cart@adv-acme'] && s.activity['product_view@adv-acme'] ? s : undefined;
    });
    expect(person.segments).toHaveProperty(['cart_abandoners@adv-acme']);
    // The merge is stored before the merged-away ids are told to point at it: wait for the pointers too.
    for (const h of hashes.filter((x) => x !== canonical)) {
      expect(await eventually('the alias entry', async () => (await env.PROFILE_SNAPSHOTS.get(aliasKey(h))) ?? undefined)).toBe(canonical);
    }
    await runDurableObjectAlarm(stubOf(canonical));
    expect(await env.PROFILE_SNAPSHOTS.get(canonical)).not.toBeNull();
    await deadLetters().add([{ messageId: `dl-${uid}`, body: { id: 'stuck', type: 'page_view', userHash: hIfa, tsMs: Date.now() }, attempts: 6 }]);

    // Erase through any of the ids: here the device id.
    const res = await fetchWorker(`${ORIGIN}/v1/users/${encodeURIComponent(ifa)}?type=ifa`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'erased', ids: 3, verified: true });

    for (const h of hashes) {
      expect(await stored(stubOf(h))).toEqual({ tables: [], keys: [], alarm: null });
      expect(await stubOf(h).getSnapshot()).toBeNull();
      expect(await env.PROFILE_SNAPSHOTS.get(h)).toBeNull();
      expect(await env.PROFILE_SNAPSHOTS.get(aliasKey(h))).toBeNull();
      // The one thing kept: that the id was erased (so it is not profiled again unasked).
      expect(await env.PROFILE_SNAPSHOTS.get(erasedKey(h))).not.toBeNull();
    }
    expect((await deadLetters().list({ limit: 1000 })).letters.some((l) => l.eventId === 'stuck')).toBe(false);

    // Later events for the erased ids are acknowledged and not profiled: nothing is written.
    const later = await consume({ id: `late-${uid}`, type: 'add_to_cart', userHash: hUid, tsMs: Date.now(), advertiserId: 'adv-acme' });
    expect(later.explicitAcks).toHaveLength(1);
    expect(await stored(stubOf(hUid))).toEqual({ tables: [], keys: [], alarm: null });

    // Consent given again: profiling resumes for that id.
    expect((await fetchWorker(`${ORIGIN}/v1/users/${uid}/opt-in`, { method: 'POST' })).status).toBe(200);
    expect(await env.PROFILE_SNAPSHOTS.get(erasedKey(hUid))).toBeNull();
    await consume({ id: `after-optin-${uid}`, type: 'add_to_cart', userHash: hUid, tsMs: Date.now(), advertiserId: 'adv-acme' });
    expect((await snapshotOf(stubOf(hUid)))?.segments).toHaveProperty(['cart_abandoners@adv-acme']);
  });

  it('erases an id never seen: nothing to delete, and its later events are not profiled', async () => {
    const uid = `never-${crypto.randomUUID()}`;
    const res = await fetchWorker(`${ORIGIN}/v1/users/${uid}`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ status: 'erased', ids: 1, verified: true });
    const h = await hashOf({ kind: 'uid', value: uid });
    await consume({ id: `e-${uid}`, type: 'page_view', userHash: h, tsMs: Date.now(), advertiserId: 'adv-acme' });
    expect(await stored(stubOf(h))).toEqual({ tables: [], keys: [], alarm: null });
  });

  it('is admin only and checks the key', async () => {
    expect((await fetchWorker(`${ORIGIN}/v1/users/some-user-1`, { method: 'DELETE', auth: 'publisher' })).status).toBe(403);
    expect((await fetchWorker(`${ORIGIN}/v1/users/some-user-1`, { method: 'DELETE', auth: 'none' })).status).toBe(401);
    const bad = await fetchWorker(`${ORIGIN}/v1/users/0?type=email`, { method: 'DELETE' });
    expect(bad.status).toBe(400);
    expect((await bad.json<{ error: { issues: { path: string }[] } }>()).error.issues.map((i) => i.path).sort()).toEqual(['key', 'type']);
    expect((await fetchWorker(`${ORIGIN}/v1/users/some-user-1`, { method: 'GET' })).status).toBe(405);
  });
});
