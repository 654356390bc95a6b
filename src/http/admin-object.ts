/**
 * What the admin routes share: the one CatalogAdmin object, turning its failures into the error
 * table's JSON (with the entity's current ETag on a 409, so a client can re-read and retry), and
 * who made a change (the authenticated admin's id, kept in the history).
 */
import type { Context } from 'hono';
import type { Failure } from '../core/catalog/admin-ops';
import { AppError } from '../core/errors';
import type { CatalogAdmin } from '../objects/catalog-admin';
import { principalOf } from './auth';
import { readJsonBody } from './body';

type HttpContext = Context<{ Bindings: Env }>;

/** Creatives carry markup and VAST; everything else is far smaller. */
export const MAX_ADMIN_BODY_BYTES = 256 * 1024;

/** All catalog writes go through one object, so they apply one at a time. */
export function catalogAdmin(env: Env): DurableObjectStub<CatalogAdmin> {
  return env.CATALOG_ADMIN.get(env.CATALOG_ADMIN.idFromName('catalog'));
}

export function failureResponse(c: HttpContext, failure: Failure): Response {
  const err = new AppError(failure.code, failure.message, failure.issues ?? []);
  if (failure.etag !== undefined) c.header('ETag', failure.etag);
  return c.json(err.toJSON(), err.status);
}

/** JSON text the admin object already serialised (headers set with `c.header` still apply). */
export function sendJson(c: HttpContext, json: string, status: 200 | 201 = 200): Response {
  c.header('Content-Type', 'application/json; charset=UTF-8');
  return c.body(json, status);
}

export function actor(c: HttpContext): string {
  return principalOf(c).id;
}

export function readAdminBody(c: HttpContext): Promise<unknown> {
  return readJsonBody(c.req.raw, MAX_ADMIN_BODY_BYTES);
}

/** An optional JSON body: absent or empty is `{}`. */
export async function readOptionalBody(c: HttpContext): Promise<unknown> {
  const length = c.req.header('content-length');
  if (c.req.raw.body === null || length === '0') return {};
  return readAdminBody(c);
}
