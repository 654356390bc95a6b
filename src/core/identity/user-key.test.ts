import { describe, expect, it } from 'vitest';
import { isUsableUserId, userKeyMaterial } from './user-key';

describe('isUsableUserId', () => {
  it.each(['loop-3f2a', 'c7b1e0d2-9a4f-4e0b-8d51-2f0c6a1e9b77', 'AEBE52E7-03EE-455A-B3C4-E57283966239', 'cookie_abc123'])('accepts %s', (id) => {
    expect(isUsableUserId(id)).toBe(true);
  });
  it.each(['', '0', '   ', 'abc', 'null', 'NULL', 'undefined', 'unknown', 'anonymous', '000000', '00000000-0000-0000-0000-000000000000', 'xxxxxxxx', '------', '11111111'])(
    'refuses %j',
    (id) => {
      expect(isUsableUserId(id)).toBe(false);
    },
  );
});

describe('userKeyMaterial', () => {
  it('puts the namespace into what is hashed, so equal strings in different id spaces differ', () => {
    expect(userKeyMaterial({ kind: 'uid', value: 'abc123' })).toBe('uid:abc123');
    expect(userKeyMaterial({ kind: 'xid', value: ' abc123 ' })).toBe('xid:abc123');
  });
  it('compares device ad ids case-insensitively, other ids exactly', () => {
    expect(userKeyMaterial({ kind: 'ifa', value: 'AEBE52E7-03EE' })).toBe(userKeyMaterial({ kind: 'ifa', value: 'aebe52e7-03ee' }));
    expect(userKeyMaterial({ kind: 'uid', value: 'Abc123' })).not.toBe(userKeyMaterial({ kind: 'uid', value: 'abc123' }));
  });
});
