/**
 * Privacy operations on one person, admin only (the auth middleware guards `/v1/users/*`):
 *
 * - `POST /v1/users/:key/opt-out` — no behavioural use from now on: the profile's data is dropped
 *   and the hot path sees `optedOut` (contextual ads only); the opt-out covers every linked id.
 * - `POST /v1/users/:key/opt-in` — consent given again: profiling may resume (also after an erase).
 * - `DELETE /v1/users/:key` — erase: the profile, every linked id, the KV snapshot and alias
 *   entries, dead letters, and in the ledger of every campaign in the current catalog the lift
 *   audience rows and conversion keys, and the known-users directory's rows; verified by reading
 *   back before answering. Later events for those ids are not profiled until an opt-in.
 *
 * `?type=` says which id space `:key` is in: `uid` (default, our first-party id), `ifa`, `xid`
 * (an exchange's user id) or `crm` (a hashed e-mail / customer id). Keys are hashed here and
 * never logged.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { CompiledCatalog } from '../core/catalog/compile';
import { AppError } from '../core/errors';
import { isUsableUserId } from '../core/identity/user-key';
import { LINK_KEY_KINDS, linkKeyMaterial } from '../core/profile/link-keys';
import { fieldIssues } from '../core/zod-issues';
import { log } from '../log';
import type { CampaignLedger } from '../objects/campaign-ledger';
import { KNOWN_USERS_NAME, type KnownUsers } from '../objects/known-users';
import type { UserProfile } from '../objects/user-profile';
import { EMPTY_CATALOG, getCatalog } from '../store/catalog-store';
import { aliasKey, erasedKey } from '../store/profile-kv-keys';
import { config, secret } from './config';
import { hmacBase64Url } from './crypto';

export const users = new Hono<{ Bindings: Env }>();

const target = z.object({
  key: z.string().max(256).refine(isUsableUserId, 'not a usable id (too short or a placeholder)'),
  type: z.enum(LINK_KEY_KINDS).default('uid'),
});

async function profileOf(env: Env, key: string | undefined, type: string | undefined): Promise<{ hash: string; stub: DurableObjectStub<UserProfile> }> {
  const r = target.safeParse({ key, type });
  if (!r.success) throw new AppError('invalid_request', 'the user key or its type is invalid', fieldIssues(r.error));
  const hash = await hmacBase64Url(secret(env, 'USER_KEY_SECRET'), linkKeyMaterial({ kind: r.data.type, value: r.data.key }));
  return { hash, stub: env.USER_PROFILE.get(env.USER_PROFILE.idFromName(hash)) };
}

/** The known-users directory (src/objects/known-users.ts). */
const directory = (env: Env): DurableObjectStub<KnownUsers> => env.KNOWN_USERS.get(env.KNOWN_USERS.idFromName(KNOWN_USERS_NAME));

/** Anything the profile objects throw becomes a retryable 503; the log names the error class only. */
async function profileCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    log('error', 'privacy_operation_failed', { operation, error: err instanceof Error ? err.name : 'unknown' });
    throw new AppError('profile_unavailable', `the ${operation} could not be completed; retry it`);
  }
}

users.post('/:key/opt-out', async (c) => {
  const { hash, stub } = await profileOf(c.env, c.req.param('key'), c.req.query('type'));
  // Listed first: an id the known-users filter lacks is read as unknown, never as opted out, and
  // its hash would reach holdouts and ledgers. The edges see it once the filter is published.
  await profileCall('opt-out', () => directory(c.env).add([hash]));
  const r = await profileCall('opt-out', () => stub.optOut(hash));
  log('info', 'user_opted_out', { linkedIds: r.aliases });
  return c.json({ status: 'opted_out', linkedIds: r.aliases });
});

users.post('/:key/opt-in', async (c) => {
  const { hash, stub } = await profileOf(c.env, c.req.param('key'), c.req.query('type'));
  await profileCall('opt-in', () => stub.optIn(hash));
  log('info', 'user_opted_in', {});
  return c.json({ status: 'opted_in' });
});

users.delete('/:key', async (c) => {
  const env = c.env;
  const { hash, stub } = await profileOf(env, c.req.param('key'), c.req.query('type'));
  const { hashes } = await profileCall('erase', () => stub.erase(hash));
  const waitUntil = (p: Promise<unknown>): void => {
    c.executionCtx.waitUntil(p);
  };
  const catalog = await getCatalog(env, waitUntil, Date.now(), { refreshSec: config(env).catalogRefreshSec, coldLoadMs: ERASE_CATALOG_LOAD_MS });
  // Without the catalog we cannot name the ledgers that may hold the person: refuse, to be retried.
  if (catalog === EMPTY_CATALOG) throw new AppError('profile_unavailable', 'the erase could not reach the campaign ledgers; retry it');
  const ledgers = campaignIds(catalog).map((id) => env.CAMPAIGN_LEDGER.get(env.CAMPAIGN_LEDGER.idFromName(id)));
  await profileCall('erase', () => inChunks(ledgers, (l) => l.purgeUsers(hashes)));
  // Not part of the read-back: an event of the person still in the queue lists the id again (the
  // profile then ignores it, erased), which would fail the check without keeping any data.
  await profileCall('erase', () => directory(env).remove(hashes));
  const verified = await profileCall('erase check', () => verifyErased(env, hashes, ledgers));
  if (!verified) {
    log('error', 'erase_not_verified', { ids: hashes.length });
    throw new AppError('profile_unavailable', 'the erase could not be verified; retry it');
  }
  log('info', 'user_erased', { ids: hashes.length });
  return c.json({ status: 'erased', ids: hashes.length, verified: true });
});

/** A cold catalog load may take this long here: an erase is not latency-bound. */
const ERASE_CATALOG_LOAD_MS = 5_000;
/** Ledger calls in flight at once (the runtime caps simultaneous outgoing calls). */
const LEDGER_FAN_OUT = 50;

/** Every campaign with a line item: only those can have a ledger with users in it. */
function campaignIds(catalog: CompiledCatalog): string[] {
  return [...new Set(catalog.lineItems.map((li) => li.campaign.id))];
}

async function inChunks<T, R>(items: readonly T[], call: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += LEDGER_FAN_OUT) out.push(...(await Promise.all(items.slice(i, i + LEDGER_FAN_OUT).map(call))));
  return out;
}

/** Reads back what an erase must have removed, for every id of the person. */
async function verifyErased(env: Env, hashes: readonly string[], ledgers: readonly DurableObjectStub<CampaignLedger>[]): Promise<boolean> {
  const left = await inChunks(ledgers, (l) => l.userRows(hashes));
  if (left.some((n) => n !== 0)) return false;
  const checks = await Promise.all(
    hashes.map(async (h) => {
      const [empty, snapshot, alias, marker] = await Promise.all([
        env.USER_PROFILE.get(env.USER_PROFILE.idFromName(h)).isEmpty(),
        env.PROFILE_SNAPSHOTS.get(h),
        env.PROFILE_SNAPSHOTS.get(aliasKey(h)),
        env.PROFILE_SNAPSHOTS.get(erasedKey(h)),
      ]);
      return empty && snapshot === null && alias === null && marker !== null;
    }),
  );
  return checks.every(Boolean);
}
