/**
 * Regression: the impression link carried the user's keyed hash in readable base64 JSON, the same
 * on every site and exchange. It is sealed now — unreadable, different on every link — and the
 * tracking route opens it again; an opted-out user's links carry no user at all.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import fixture from './fixtures/decision-request.json';
import { hashUserKey, unseal } from '../src/http/crypto';
import { post, servedUser } from './helpers';

function tokenPayload(url: string): Record<string, unknown> {
  const token = url.split('/v1/t/')[1]?.split('?')[0] ?? '';
  const body = token.split('.')[0] ?? '';
  return JSON.parse(atob(body.replaceAll('-', '+').replaceAll('_', '/'))) as Record<string, unknown>;
}

async function impressionUrl(userKey: string): Promise<string> {
  const res = await post('/v1/decisions', { ...fixture, userKey });
  const body = await res.json<{ decisions: { impressionUrl?: string }[] }>();
  return body.decisions[0]?.impressionUrl ?? '';
}

describe('impression links', () => {
  it('carry the user sealed: not the hash, different on every link, opened only with the secret', async () => {
    const user = await servedUser('seal');
    const hash = await hashUserKey(env.USER_KEY_SECRET, { kind: 'uid', value: user });
    const [a, b] = [tokenPayload(await impressionUrl(user)), tokenPayload(await impressionUrl(user))];
    expect(typeof a.u).toBe('string');
    expect(a.u).not.toBe(hash);
    expect(JSON.stringify(a)).not.toContain(hash);
    expect(a.u).not.toBe(b.u);
    expect(await unseal(env.TRACKING_SECRET, String(a.u))).toBe(hash);
    expect(await unseal('another-secret-0123456789', String(a.u))).toBeNull();
  });

  it('carry no user for an opted-out person', async () => {
    const user = await servedUser('seal-optout');
    expect((await post(`/v1/users/${user}/opt-out`, {})).status).toBeLessThan(300);
    expect(tokenPayload(await impressionUrl(user)).u).toBeUndefined();
  });
});
