import { describe, expect, it } from 'vitest';
import { parseEventBatch } from './event-batch';

const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('parseEventBatch', () => {
  it('normalises timestamps and values', () => {
    const r = parseEventBatch(
      {
        events: [
          { id: 'e1', type: 'add_to_cart', userKey: 'user-1', ts: '2026-11-23T11:00:00Z', advertiserId: 'adv', productId: 'p', value: 19.99 },
          { id: 'e2', type: 'page_view', userKey: 'user-1', ts: NOW - 1000 },
        ],
      },
      NOW,
    );
    expect(r).toEqual({
      ok: true,
      events: [
        { id: 'e1', type: 'add_to_cart', userKey: { kind: 'uid', value: 'user-1' }, tsMs: NOW - 3_600_000, advertiserId: 'adv', productId: 'p', valueMicros: 19_990_000, consent: {} },
        { id: 'e2', type: 'page_view', userKey: { kind: 'uid', value: 'user-1' }, tsMs: NOW - 1000, consent: {} },
      ],
    });
  });
  it('carries the batch consent to every event, each event overriding it field by field', () => {
    const r = parseEventBatch(
      {
        consent: { gdpr: 1, tcString: 'batch-tc', usPrivacy: '1NNN' },
        events: [
          { id: 'e1', type: 'page_view', userKey: 'user-1', ts: NOW },
          { id: 'e2', type: 'page_view', userKey: 'user-2', ts: NOW, consent: { tcString: 'own-tc', gppSid: [7], gpp: 'DBABLA~x', coppa: 1 } },
        ],
      },
      NOW,
    );
    expect(r.ok && r.events.map((e) => e.consent)).toEqual([
      { gdprApplies: true, tcString: 'batch-tc', usPrivacy: '1NNN' },
      { gdprApplies: true, tcString: 'own-tc', usPrivacy: '1NNN', gpp: 'DBABLA~x', gppSid: [7], coppa: true },
    ]);
  });
  it('refuses consent fields of the wrong type, with their paths', () => {
    const r = parseEventBatch({ consent: { gdpr: 'yes' }, events: [{ id: 'e1', type: 'page_view', userKey: 'user-1', ts: NOW, consent: { tcString: 1, extra: true } }] }, NOW);
    expect(r.ok ? [] : r.issues.map((i) => i.path).sort()).toEqual(['consent.gdpr', 'events[0].consent', 'events[0].consent.tcString']);
  });
  it('reports every bad field with its path', () => {
    const r = parseEventBatch({ events: [{ id: 'e1', type: 'teleport', userKey: 'user-2', ts: 1 }, { type: 'page_view', userKey: 'user-2', ts: NOW }] }, NOW);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // The shape problems and the time problem (ts: 1 is decades old) come in one answer.
    expect(r.issues.map((i) => i.path).sort()).toEqual(['events[0].ts', 'events[0].type', 'events[1].id']);
  });
  it('rejects events from the future beyond the skew allowance and older than retention', () => {
    const r = parseEventBatch(
      { events: [{ id: 'a', type: 'page_view', userKey: 'user-2', ts: NOW + 10 * 60_000 }, { id: 'b', type: 'page_view', userKey: 'user-2', ts: NOW - 90 * 86_400_000 }] },
      NOW,
    );
    expect(r).toMatchObject({ ok: false, issues: [{ path: 'events[0].ts' }, { path: 'events[1].ts', message: 'event is older than the 90 day profile retention' }] });
    // One millisecond younger than the retention is accepted: the longest rule window is 90 days.
    expect(parseEventBatch({ events: [{ id: 'c', type: 'page_view', userKey: 'user-2', ts: NOW - 90 * 86_400_000 + 1 }] }, NOW).ok).toBe(true);
  });
  it('carries product names and categories, and the linked ids of identify events', () => {
    const r = parseEventBatch(
      {
        events: [
          { id: 'a', type: 'product_view', userKey: 'user-2', ts: NOW, advertiserId: 'adv', productId: 'p', productName: 'Tent', category: 'tents' },
          { id: 'b', type: 'identify', userKey: 'user-2', ts: NOW, links: [{ key: 'AEBE52E7-03EE', type: 'ifa' }, { key: 'ab12cd34ef', type: 'crm' }] },
        ],
      },
      NOW,
    );
    expect(r).toMatchObject({
      ok: true,
      events: [
        { productName: 'Tent', category: 'tents' },
        { type: 'identify', links: [{ kind: 'ifa', value: 'AEBE52E7-03EE' }, { kind: 'crm', value: 'ab12cd34ef' }] },
      ],
    });
  });
  it('wants links on identify events and nowhere else', () => {
    const r = parseEventBatch(
      {
        events: [
          { id: 'a', type: 'identify', userKey: 'user-2', ts: NOW },
          { id: 'b', type: 'page_view', userKey: 'user-2', ts: NOW, links: [{ key: 'other-id-1', type: 'uid' }] },
          { id: 'c', type: 'identify', userKey: 'user-2', ts: NOW, links: [{ key: '0', type: 'uid' }, { key: 'other-id-1', type: 'email' }] },
        ],
      },
      NOW,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['events[0].links', 'events[1].links', 'events[2].links[0].key', 'events[2].links[1].type']);
  });
  it('refuses placeholder user keys and takes an ifa when told', () => {
    expect(parseEventBatch({ events: [{ id: 'a', type: 'page_view', userKey: '0', ts: NOW }] }, NOW)).toMatchObject({ ok: false, issues: [{ path: 'events[0].userKey' }] });
    expect(parseEventBatch({ events: [{ id: 'a', type: 'page_view', userKey: 'AEBE52E7-03EE', userKeyType: 'ifa', ts: NOW }] }, NOW)).toMatchObject({
      ok: true,
      events: [{ userKey: { kind: 'ifa', value: 'AEBE52E7-03EE' } }],
    });
  });
  it('rejects unknown fields and an empty batch', () => {
    expect(parseEventBatch({ events: [] }, NOW).ok).toBe(false);
    expect(parseEventBatch({ events: [{ id: 'a', type: 'page_view', userKey: 'user-2', ts: NOW, email: 'x@y' }] }, NOW)).toMatchObject({
      ok: false,
      issues: [{ path: 'events[0]' }],
    });
  });
});
