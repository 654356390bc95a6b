/**
 * Who may call us: exchanges (OpenRTB), publishers (decisions, events), advertisers (reports on
 * their own campaigns) and the operator (admin), each with their own credentials. The table is one JSON secret (`AUTH_PRINCIPALS`) plus the
 * admin token (`ADMIN_TOKEN`); this module validates it and answers ownership questions. Hashing
 * and comparing presented tokens happens at the edge (src/http/auth.ts).
 */
import { z } from 'zod';
import type { FieldIssue } from '../errors';
import { fieldIssues } from '../zod-issues';

export type PrincipalKind = 'exchange' | 'publisher' | 'advertiser' | 'admin';

export type Principal =
  | { readonly kind: 'exchange'; readonly id: string }
  | {
      readonly kind: 'publisher';
      readonly id: string;
      /** Lower-cased site domains / app bundles; `*.example.com` covers subdomains, `*` any site. */
      readonly sites: readonly string[];
      /** Placement ids the publisher may request; null = any. */
      readonly placements: ReadonlySet<string> | null;
    }
  | {
      readonly kind: 'advertiser';
      readonly id: string;
      /** Catalog advertiser ids whose campaigns, line items and creatives this caller may report on. */
      readonly advertiserIds: ReadonlySet<string>;
    }
  | { readonly kind: 'admin'; readonly id: string };

/** One accepted credential. `viaUrl`: the exchange may send it as `?auth=` instead of a header. */
export interface Credential {
  readonly token: string;
  readonly principal: Principal;
  readonly viaUrl: boolean;
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;
// Wide enough for base64, base64url, hex and UUIDs; nothing that needs quoting in a header.
const TOKEN = /^[A-Za-z0-9._~+/=-]{16,256}$/;
// A token that may travel in a query string must not need percent-encoding.
const URL_SAFE_TOKEN = /^[A-Za-z0-9._~-]+$/;
const SITE = /^(\*|(\*\.)?[^\s*]{1,253})$/;

const id = z.string().regex(ID, 'ids are 1–64 characters of A–Z a–z 0–9 . _ -');
const tokens = z
  .array(z.string().regex(TOKEN, 'tokens are 16–256 characters of A–Z a–z 0–9 . _ ~ + / = -'))
  .min(1)
  // Room for rotation: the new token is added, callers move over, the old one is removed.
  .max(4);

const exchangeSchema = z
  .strictObject({ id, tokens, allowUrlToken: z.boolean().default(false) })
  .refine((e) => !e.allowUrlToken || e.tokens.every((t) => URL_SAFE_TOKEN.test(t)), {
    message: 'a token allowed in the URL may only use A–Z a–z 0–9 . _ ~ -',
    path: ['tokens'],
  });

const publisherSchema = z.strictObject({
  id,
  tokens,
  sites: z
    .array(z.string().regex(SITE, 'a site is a domain or app bundle, "*.domain" for its subdomains, or "*"'))
    .min(1)
    .max(1_000),
  placements: z.array(z.string().min(1).max(128)).min(1).max(1_000).optional(),
});

const advertiserSchema = z.strictObject({
  id,
  tokens,
  // At least one: an advertiser caller that owns nothing is a configuration mistake, not a scope.
  advertiserIds: z.array(z.string().min(1).max(128)).min(1).max(1_000),
});

export const principalsConfigSchema = z.strictObject({
  exchanges: z.array(exchangeSchema).max(1_000).default([]),
  publishers: z.array(publisherSchema).max(1_000).default([]),
  advertisers: z.array(advertiserSchema).max(1_000).default([]),
});

export type PrincipalsConfig = z.infer<typeof principalsConfigSchema>;

export type CredentialsResult = { ok: true; credentials: Credential[] } | { ok: false; issues: FieldIssue[] };

/**
 * Every credential from the `AUTH_PRINCIPALS` JSON text and the admin token. All problems are
 * reported together, by path; messages never contain a token.
 */
export function parseCredentials(principalsJson: string | undefined, adminToken: string | undefined): CredentialsResult {
  const issues: FieldIssue[] = [];
  let config: PrincipalsConfig = { exchanges: [], publishers: [], advertisers: [] };
  if (principalsJson !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(principalsJson);
    } catch {
      return { ok: false, issues: [{ path: 'AUTH_PRINCIPALS', message: 'is not valid JSON' }] };
    }
    const parsed = principalsConfigSchema.safeParse(doc);
    if (!parsed.success) return { ok: false, issues: fieldIssues(parsed.error) };
    config = parsed.data;
  }
  if (adminToken !== undefined && !TOKEN.test(adminToken)) {
    issues.push({ path: 'ADMIN_TOKEN', message: 'must be 16–256 characters of A–Z a–z 0–9 . _ ~ + / = -' });
  }

  const credentials: Credential[] = [];
  const where = new Map<string, string>();
  const add = (token: string, principal: Principal, viaUrl: boolean, path: string) => {
    const first = where.get(token);
    // A shared token would make the caller's identity ambiguous; admin must never share one.
    if (first !== undefined) issues.push({ path, message: `repeats the token at ${first}` });
    else where.set(token, path);
    credentials.push({ token, principal, viaUrl });
  };
  const seenIds = new Set<string>();
  const uniqueId = (kind: PrincipalKind, value: string, path: string) => {
    if (seenIds.has(`${kind}:${value}`)) issues.push({ path, message: `another ${kind} has this id` });
    seenIds.add(`${kind}:${value}`);
  };

  config.exchanges.forEach((e, i) => {
    uniqueId('exchange', e.id, `exchanges[${i}].id`);
    const principal: Principal = { kind: 'exchange', id: e.id };
    e.tokens.forEach((t, j) => {
      add(t, principal, e.allowUrlToken, `exchanges[${i}].tokens[${j}]`);
    });
  });
  config.publishers.forEach((p, i) => {
    uniqueId('publisher', p.id, `publishers[${i}].id`);
    const principal: Principal = {
      kind: 'publisher',
      id: p.id,
      sites: p.sites.map(normaliseSite),
      placements: p.placements ? new Set(p.placements) : null,
    };
    p.tokens.forEach((t, j) => {
      add(t, principal, false, `publishers[${i}].tokens[${j}]`);
    });
  });
  config.advertisers.forEach((a, i) => {
    uniqueId('advertiser', a.id, `advertisers[${i}].id`);
    const principal: Principal = { kind: 'advertiser', id: a.id, advertiserIds: new Set(a.advertiserIds) };
    a.tokens.forEach((t, j) => {
      add(t, principal, false, `advertisers[${i}].tokens[${j}]`);
    });
  });
  if (adminToken !== undefined && TOKEN.test(adminToken)) add(adminToken, { kind: 'admin', id: 'admin' }, false, 'ADMIN_TOKEN');

  return issues.length > 0 ? { ok: false, issues } : { ok: true, credentials };
}

function normaliseSite(site: string): string {
  return site.trim().toLowerCase().replace(/\.$/, '');
}

export function ownsSite(sites: readonly string[], siteOrAppId: string | undefined): boolean {
  if (sites.includes('*')) return true;
  if (siteOrAppId === undefined) return false;
  const site = normaliseSite(siteOrAppId);
  if (site === '') return false;
  return sites.some((s) => s === site || (s.startsWith('*.') && site.endsWith(s.slice(1))));
}

/**
 * Whether `principal` may get decisions for this site (domain or app bundle) and these placements.
 * Issues name the offending request fields (never their values).
 */
export function decisionScope(
  principal: Principal,
  siteOrAppId: string | undefined,
  placementIds: readonly string[] = [],
): { ok: true } | { ok: false; issues: FieldIssue[] } {
  switch (principal.kind) {
    case 'admin':
      return { ok: true };
    case 'exchange':
      return { ok: false, issues: [{ path: '(root)', message: 'exchanges bid through /openrtb2/bid' }] };
    case 'advertiser':
      return { ok: false, issues: [{ path: '(root)', message: 'advertisers read reports through /v1/reports' }] };
    case 'publisher': {
      const issues: FieldIssue[] = [];
      if (!ownsSite(principal.sites, siteOrAppId)) {
        issues.push({
          path: 'site.domain',
          message: siteOrAppId === undefined ? 'name one of your sites' : 'is not one of your sites',
        });
      }
      const { placements } = principal;
      if (placements) {
        placementIds.forEach((p, i) => {
          if (!placements.has(p)) issues.push({ path: `placements[${i}].id`, message: 'is not one of your placements' });
        });
      }
      return issues.length > 0 ? { ok: false, issues } : { ok: true };
    }
  }
}

/** Publishers only get decisions for their own sites and placements; admins for any. */
export function mayDecideFor(principal: Principal, siteOrAppId: string | undefined, placementIds: readonly string[] = []): boolean {
  return decisionScope(principal, siteOrAppId, placementIds).ok;
}

/** Whether `principal` may read reports on a campaign of this catalog advertiser: admins any, advertisers their own. */
export function mayReadAdvertiser(principal: Principal, advertiserId: string): boolean {
  switch (principal.kind) {
    case 'admin':
      return true;
    case 'advertiser':
      return principal.advertiserIds.has(advertiserId);
    case 'exchange':
    case 'publisher':
      return false;
  }
}
