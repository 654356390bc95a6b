/**
 * Which principals may call which paths. Deny by default: a path not listed here (the admin API,
 * privacy operations, anything added later and forgotten) needs the admin token. The admin may
 * call every protected path (e.g. to read the explain trace of a real decision).
 */
import type { PrincipalKind } from './principals';

export type RouteAccess =
  | { readonly kind: 'public' }
  | {
      readonly kind: 'protected';
      readonly allow: readonly PrincipalKind[];
      /** Whether an exchange that cannot set headers may put its token in `?auth=`. */
      readonly urlToken: boolean;
    };

const PUBLIC: RouteAccess = { kind: 'public' };
const EXCHANGE: RouteAccess = { kind: 'protected', allow: ['exchange', 'admin'], urlToken: true };
const PUBLISHER: RouteAccess = { kind: 'protected', allow: ['publisher', 'admin'], urlToken: false };
// Which campaigns an advertiser may see is the reports handler's check (it needs the catalog).
const ADVERTISER: RouteAccess = { kind: 'protected', allow: ['advertiser', 'admin'], urlToken: false };
const ADMIN: RouteAccess = { kind: 'protected', allow: ['admin'], urlToken: false };

/** `path` is the router's path (decoded, without the query), so this sees what the routes see. */
export function routeAccess(path: string): RouteAccess {
  // Health checks and tracking links (the signed token is the credential) stay open.
  if (path === '/healthz' || path.startsWith('/v1/t/')) return PUBLIC;
  // The campaign manager's page holds no data or secret; it asks for the admin token and sends it to the APIs.
  if (under(path, '/ui')) return PUBLIC;
  // The API description names routes and shapes, no data: integrators read it before they hold a token.
  if (path === '/openapi.json') return PUBLIC;
  if (under(path, '/openrtb2')) return EXCHANGE;
  if (under(path, '/v1/decisions') || under(path, '/v1/events')) return PUBLISHER;
  if (under(path, '/v1/reports')) return ADVERTISER;
  return ADMIN;
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}
