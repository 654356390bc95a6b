import { describe, expect, it } from 'vitest';
import { userKeyMaterial } from '../identity/user-key';
import { linkKeyMaterial } from './link-keys';

describe('link keys', () => {
  it('hash like the hot path for its id spaces, so a linked id finds the same object', () => {
    for (const kind of ['uid', 'ifa', 'xid'] as const) {
      expect(linkKeyMaterial({ kind, value: ' AbC-123 ' })).toBe(userKeyMaterial({ kind, value: ' AbC-123 ' }));
    }
  });

  it('keep CRM ids in their own space, case-insensitively', () => {
    expect(linkKeyMaterial({ kind: 'crm', value: 'ABCDEF0123' })).toBe('crm:abcdef0123');
    expect(linkKeyMaterial({ kind: 'crm', value: 'abcdef0123' })).not.toBe(linkKeyMaterial({ kind: 'uid', value: 'abcdef0123' }));
  });
});
