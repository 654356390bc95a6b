// Credentials for the scripts that start their own local worker (conformance, bench, fuzz): the
// AUTH_PRINCIPALS / ADMIN_TOKEN vars to start it with, and the header each path needs. The path →
// principal mapping mirrors src/core/security/route-access.ts (scripts cannot import TypeScript).

export const LOCAL_TOKENS = {
  exchange: 'local-script-exchange-token',
  publisher: 'local-script-publisher-key',
  admin: 'local-script-admin-token',
};

export const LOCAL_AUTH_VARS = {
  AUTH_PRINCIPALS: JSON.stringify({
    exchanges: [{ id: 'script-exchange', tokens: [LOCAL_TOKENS.exchange], allowUrlToken: true }],
    publishers: [{ id: 'script-publisher', tokens: [LOCAL_TOKENS.publisher], sites: ['*'] }],
  }),
  ADMIN_TOKEN: LOCAL_TOKENS.admin,
};

/** The Authorization header `path` needs ({} for public paths). */
export function authHeaders(path) {
  const p = new URL(path, 'http://local').pathname;
  if (p === '/healthz' || p.startsWith('/v1/t/')) return {};
  if (p === '/openrtb2' || p.startsWith('/openrtb2/')) return { authorization: `Bearer ${LOCAL_TOKENS.exchange}` };
  if (/^\/v1\/(decisions|events)(\/|$)/.test(p)) return { authorization: `Bearer ${LOCAL_TOKENS.publisher}` };
  return { authorization: `Bearer ${LOCAL_TOKENS.admin}` };
}
