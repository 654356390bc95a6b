/** Shared helpers for the Workers-runtime tests: call the worker like a client, poll for async effects. */
import { env, exports } from 'cloudflare:workers';
import { routeAccess } from '../src/core/security/route-access';
import { inHoldout } from '../src/core/engine/suppression';
import { hashUserKey } from '../src/http/crypto';
import { TEST_TOKENS } from './auth-fixtures';

export const ORIGIN = 'http://edge.test';

/**
 * Which credential a request carries: by default the one its path needs (exchange token on
 * /openrtb2, publisher key on decisions and events, admin token elsewhere, nothing on public
 * paths); `none`, or a named test token. An explicit Authorization header always wins.
 */
export type AuthChoice = 'path-default' | 'none' | keyof typeof TEST_TOKENS;
export type ClientInit = RequestInit & { auth?: AuthChoice };

function tokenFor(auth: AuthChoice, path: string): string | null {
  if (auth === 'none') return null;
  if (auth !== 'path-default') return TEST_TOKENS[auth];
  const access = routeAccess(path);
  if (access.kind === 'public') return null;
  if (access.allow.includes('exchange')) return TEST_TOKENS.exchange;
  if (access.allow.includes('publisher')) return TEST_TOKENS.publisher;
  return TEST_TOKENS.admin;
}

/** The Authorization header a path needs by default, for tests that build their own Request. */
export function authHeaders(path: string, auth: AuthChoice = 'path-default'): Record<string, string> {
  const token = tokenFor(auth, path);
  return token === null ? {} : { authorization: `Bearer ${token}` };
}

/** Calls the worker's own fetch handler, as a client would, with credentials (see AuthChoice). */
export function fetchWorker(url: string, init: ClientInit = {}): Promise<Response> {
  const { auth = 'path-default', ...rest } = init;
  const headers = new Headers(rest.headers);
  const token = tokenFor(auth, new URL(url).pathname);
  if (token !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
  return exports.default.fetch(new Request(url, { ...rest, headers }));
}

export function post(path: string, body: unknown, init: ClientInit = {}): Promise<Response> {
  return fetchWorker(`${ORIGIN}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

export function bannerRequest(userId: string | undefined, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `req-${crypto.randomUUID()}`,
    imp: [{ id: '1', banner: { w: 300, h: 250 } }],
    site: { id: 's1', domain: 'news.example', page: 'https://news.example/a' },
    // Our own synced id: the id space events use, so the profile built from events is found.
    ...(userId !== undefined ? { user: { buyeruid: userId } } : {}),
    tmax: 500,
    ...overrides,
  };
}

export function event(userKey: string, type: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: `evt-${crypto.randomUUID()}`, type, userKey, ts: Date.now(), advertiserId: 'adv-acme', ...extra };
}

/** Polls `probe` until it returns a non-undefined value; fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The profile object of a first-party (`uid`) user key, as events and `user.buyeruid` address it. */
export function profileStub(userKey: string) {
  return hashUserKey(env.USER_KEY_SECRET, { kind: 'uid', value: userKey }).then((hash) => ({ hash, stub: env.USER_PROFILE.get(env.USER_PROFILE.idFromName(hash)) }));
}

/**
 * A fresh first-party user id outside the demo Acme retargeting campaign's 10 % holdout: tests
 * that expect a cart abandoner to be retargeted must not fail for the one user in ten the
 * campaign holds out (the holdout has its own tests).
 */
export async function servedUser(prefix: string): Promise<string> {
  for (;;) {
    const user = `${prefix}-${crypto.randomUUID()}`;
    if (!inHoldout(await hashUserKey(env.USER_KEY_SECRET, { kind: 'uid', value: user }), 'cmp-acme-retargeting', 10)) return user;
  }
}
