/**
 * Authentication and authorisation for every route, mounted once in app.ts. Who may call which
 * path is the table in core/security/route-access.ts (deny by default: unlisted paths need the
 * admin token); credentials come from the `AUTH_PRINCIPALS` secret and `ADMIN_TOKEN`.
 *
 * Presented tokens are never compared with stored ones character by character: both sides are
 * SHA-256'd and the presented digest is looked up among the stored digests, so timing can only
 * tell a caller about a digest they cannot steer — the "compare hashes" form of a constant-time
 * comparison, which also scales to many principals.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../core/errors';
import { decisionScope, parseCredentials, type Principal } from '../core/security/principals';
import { routeAccess, type RouteAccess } from '../core/security/route-access';
import { log } from '../log';
import { base64UrlEncode } from './crypto';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the auth middleware on every protected route; absent on public ones. */
    principal?: Principal;
  }
}

/** The context variables this middleware provides. */
export interface AuthVariables {
  principal?: Principal;
}

/** The query parameter an exchange that cannot set headers may carry its token in. */
export const URL_TOKEN_PARAM = 'auth';

type HttpContext = Context<{ Bindings: Env }>;

const MAX_TOKEN_LENGTH = 512;
const BEARER = /^Bearer +([^\s]+) *$/i;
const CHALLENGE = 'Bearer realm="edgebid"';

interface CredentialEntry {
  readonly principal: Principal;
  readonly viaUrl: boolean;
}

interface CredentialTable {
  readonly byDigest: ReadonlyMap<string, CredentialEntry>;
  readonly hasPrincipals: boolean;
  readonly hasAdmin: boolean;
}

type Loaded = { ok: true; table: CredentialTable } | { ok: false; secret: 'AUTH_PRINCIPALS' | 'ADMIN_TOKEN' };

/**
 * Per isolate, keyed by the secrets' text: parsed and hashed once, and a broken table is logged
 * once. The resolved table is cached, never a promise another request might be awaiting.
 */
let cache: { principals: string | undefined; admin: string | undefined; loaded: Loaded } | undefined;

async function credentialTable(env: Env): Promise<Loaded> {
  const principals = optionalSecret(env.AUTH_PRINCIPALS);
  const admin = optionalSecret(env.ADMIN_TOKEN);
  if (cache && cache.principals === principals && cache.admin === admin) return cache.loaded;
  const parsed = parseCredentials(principals, admin);
  let loaded: Loaded;
  if (!parsed.ok) {
    const path = parsed.issues[0]?.path;
    log('error', 'auth_config_invalid', { issues: parsed.issues.length, path });
    loaded = { ok: false, secret: path === 'ADMIN_TOKEN' ? 'ADMIN_TOKEN' : 'AUTH_PRINCIPALS' };
  } else {
    const entries = await Promise.all(
      parsed.credentials.map(async (cred) => [await digest(cred.token), { principal: cred.principal, viaUrl: cred.viaUrl }] as const),
    );
    loaded = { ok: true, table: { byDigest: new Map(entries), hasPrincipals: principals !== undefined, hasAdmin: admin !== undefined } };
  }
  cache = { principals, admin, loaded };
  return loaded;
}

/**
 * Valid tokens already seen by this isolate, so an exchange's every request does not pay a
 * SHA-256. Only tokens that matched a stored digest are kept (an invalid token always takes the
 * digest path, so a flood of guesses cannot fill or probe the map); tied to the table they were
 * checked against, and bounded. A hit reveals no more than the response does: that the token is valid.
 */
const VALID_TOKENS_MAX = 256;
let validTokens: { table: CredentialTable; entries: Map<string, CredentialEntry> } | undefined;

async function lookUp(table: CredentialTable, token: string): Promise<CredentialEntry | undefined> {
  if (validTokens?.table !== table) validTokens = { table, entries: new Map() };
  const seen = validTokens.entries.get(token);
  if (seen) return seen;
  const entry = table.byDigest.get(await digest(token));
  if (entry) {
    if (validTokens.entries.size >= VALID_TOKENS_MAX) validTokens.entries.clear();
    validTokens.entries.set(token, entry);
  }
  return entry;
}

function optionalSecret(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function digest(token: string): Promise<string> {
  return base64UrlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))));
}

function misconfigured(name: string): AppError {
  return new AppError('service_misconfigured', `the service is not configured (${name}); see README, Authentication`);
}

type Presented = { token: string; viaUrl: boolean } | { malformed: true } | null;

function presentedToken(c: HttpContext, access: Extract<RouteAccess, { kind: 'protected' }>): Presented {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const m = BEARER.exec(header);
    return m?.[1] ? { token: m[1], viaUrl: false } : { malformed: true };
  }
  if (access.urlToken) {
    const token = c.req.query(URL_TOKEN_PARAM);
    if (token !== undefined) return { token, viaUrl: true };
  }
  return null;
}

function deny(c: HttpContext, err: AppError): Response {
  if (err.status === 401) c.header('WWW-Authenticate', CHALLENGE);
  return c.json(err.toJSON(), err.status);
}

/** The middleware: 401 without a valid credential, 403 for a valid one not allowed on this path. */
export function authenticate(): MiddlewareHandler<{ Bindings: Env }> {
  return async function authenticateMiddleware(c, next) {
    const access = routeAccess(c.req.path);
    if (access.kind === 'public') {
      await next();
      return;
    }
    const loaded = await credentialTable(c.env);
    if (!loaded.ok) throw misconfigured(loaded.secret);
    const { table } = loaded;
    // Admin-only paths need the admin token; the others need the principals table.
    const adminOnly = access.allow.every((k) => k === 'admin');
    if (adminOnly && !table.hasAdmin) throw misconfigured('ADMIN_TOKEN');
    // Without the principals table only the admin can be let in here: anyone else is told the
    // service is misconfigured, but the admin token keeps working (e.g. reports with ADMIN_TOKEN alone).
    const principalsMissing = !adminOnly && !table.hasPrincipals;

    const presented = presentedToken(c, access);
    if (presented === null) {
      if (principalsMissing) throw misconfigured('AUTH_PRINCIPALS');
      return deny(c, new AppError('unauthorized', 'credentials required: Authorization: Bearer <token>'));
    }
    if ('malformed' in presented) return deny(c, new AppError('unauthorized', 'the Authorization header must be "Bearer <token>"'));
    const entry = presented.token.length <= MAX_TOKEN_LENGTH ? await lookUp(table, presented.token) : undefined;
    if (principalsMissing && entry?.principal.kind !== 'admin') throw misconfigured('AUTH_PRINCIPALS');
    // A token allowed only in headers is refused in a URL, where proxies and logs keep it.
    if (!entry || (presented.viaUrl && !entry.viaUrl)) return deny(c, new AppError('unauthorized', 'invalid credentials'));
    if (!access.allow.includes(entry.principal.kind)) {
      return deny(c, new AppError('forbidden', `${entry.principal.kind} credentials are not allowed on this endpoint`));
    }
    c.set('principal', entry.principal);
    await next();
  };
}

/** The authenticated caller. Only for handlers behind the middleware; missing means a wiring bug. */
export function principalOf(c: HttpContext): Principal {
  const p = c.get('principal');
  if (!p) throw new AppError('internal', 'route is not behind authentication');
  return p;
}

/** Whether the caller holds the admin token (e.g. to see the explain trace). */
export function isAdmin(c: HttpContext): boolean {
  return c.get('principal')?.kind === 'admin';
}

/** 403 unless the caller may get decisions for this site (domain or app bundle) and placements. */
export function assertMayDecideFor(c: HttpContext, siteOrAppId: string | undefined, placementIds: readonly string[] = []): void {
  const scope = decisionScope(principalOf(c), siteOrAppId, placementIds);
  if (!scope.ok) throw new AppError('forbidden', 'these decisions are outside your sites or placements', scope.issues);
}
