/**
 * A burst for one user is one storage write batch: 1,000 events in one consumer batch reach the
 * object as one RPC, and every write it makes (counters, remembered ids, document, snapshot)
 * happens inside one transaction, with the alarm set right after it in the same turn.
 * The object's real storage is watched, not replaced: its methods are wrapped to count calls.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { UserProfile } from '../src/objects/user-profile';
import { ev, freshUser, sql } from './profile-helpers';

const WRITE = /^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|REPLACE)/i;

describe('UserProfile write batching', () => {
  it('applies 1,000 events for one user with one storage write batch', async () => {
    const { userHash, stub } = freshUser();
    const events = Array.from({ length: 1000 }, (_, i) =>
      ev(userHash, `burst-${i}`, i % 10 === 0 ? 'add_to_cart' : 'product_view', 100_000 - i * 10, { productId: `p${i % 7}`, category: `c${i % 3}` }),
    );
    const watched = await runInDurableObject(stub, async (instance: UserProfile, state) => {
      const storage = state.storage;
      const sqlApi = storage.sql;
      const kvApi = storage.kv;
      const originals = { tx: storage.transactionSync.bind(storage), exec: sqlApi.exec.bind(sqlApi), put: kvApi.put.bind(kvApi), del: kvApi.delete.bind(kvApi), alarm: storage.setAlarm.bind(storage) };
      const seen = { transactions: 0, writesInside: 0, writesOutside: 0, alarms: 0, inTx: false };
      const note = () => (seen.inTx ? seen.writesInside++ : seen.writesOutside++);
      storage.transactionSync = <T>(fn: () => T): T => {
        seen.transactions++;
        seen.inTx = true;
        try {
          return originals.tx(fn);
        } finally {
          seen.inTx = false;
        }
      };
      sqlApi.exec = ((query: string, ...args: SqlStorageValue[]) => {
        if (WRITE.test(query)) note();
        return originals.exec(query, ...args);
      }) as typeof sqlApi.exec;
      kvApi.put = ((key: string, value: unknown) => {
        note();
        originals.put(key, value);
      });
      kvApi.delete = ((key: string) => {
        note();
        return originals.del(key);
      });
      storage.setAlarm = (when, options) => {
        seen.alarms++;
        return originals.alarm(when, options);
      };
      try {
        const result = await instance.applyEvents(userHash, events);
        return { ...seen, applied: result.applied.length };
      } finally {
        Object.assign(storage, { transactionSync: originals.tx, setAlarm: originals.alarm });
        Object.assign(sqlApi, { exec: originals.exec });
        Object.assign(kvApi, { put: originals.put, delete: originals.del });
      }
    });
    expect(watched.applied).toBe(1000);
    expect(watched.transactions).toBe(1);
    expect(watched.writesOutside).toBe(0);
    // 1,000 remembered ids, the counters, the document and the snapshot: all inside the one transaction.
    expect(watched.writesInside).toBeGreaterThan(1000);
    expect(watched.alarms).toBe(1);
    expect(await sql(stub, 'SELECT COUNT(*) AS n FROM seen')).toEqual([{ n: 1000 }]);
  });
});
