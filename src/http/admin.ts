/**
 * `/v1/admin/<kind>`: create, read, replace, patch, list, pause/resume and archive/restore for
 * every entity kind in core/catalog/admin-kinds.ts. Authentication (the admin token) is the app's
 * middleware; every write goes to the CatalogAdmin object, which validates the whole catalog and
 * publishes a new version. Replacing or patching needs `If-Match` with the entity's ETag.
 */
import { Hono, type Context } from 'hono';
import { archivedFilterSchema } from '../core/catalog/admin-api';
import { KIND_LIST, type KindSpec } from '../core/catalog/admin-kinds';
import type { WriteOp } from '../core/catalog/admin-ops';
import { AppError } from '../core/errors';
import { fieldIssues } from '../core/zod-issues';
import type { WriteResult } from '../objects/catalog-admin';
import { actor, catalogAdmin, failureResponse, readAdminBody, sendJson } from './admin-object';
import { adminCatalog } from './admin-catalog';
import { methodNotAllowed } from './errors';

type HttpContext = Context<{ Bindings: Env }>;

export const admin = new Hono<{ Bindings: Env }>();

admin.route('/catalog', adminCatalog);

function ifMatch(c: HttpContext): string | undefined {
  return c.req.header('if-match');
}

function keyOf(c: HttpContext): string {
  const key = c.req.param('key');
  if (key === undefined || key === '') throw new AppError('not_found', 'no such endpoint');
  return key;
}

function writeResponse(c: HttpContext, result: WriteResult, spec: KindSpec): Response {
  if (!result.ok) return failureResponse(c, result.failure);
  c.header('ETag', result.etag);
  if (result.created) c.header('Location', `/v1/admin/${spec.path}/${encodeURIComponent(result.key)}`);
  return sendJson(c, result.body, result.created ? 201 : 200);
}

function routes(spec: KindSpec): void {
  const base = `/${spec.path}`;
  const item = `${base}/:key`;
  const write = async (c: HttpContext, op: WriteOp): Promise<Response> => writeResponse(c, await catalogAdmin(c.env).write(op, actor(c)), spec);

  admin.get(base, async (c) => {
    const archived = archivedFilterSchema.safeParse(c.req.query('archived'));
    if (!archived.success) throw new AppError('invalid_request', 'bad query', fieldIssues(archived.error).map((i) => ({ ...i, path: 'archived' })));
    const owner = spec.owner ? c.req.query(spec.owner.field) : undefined;
    return sendJson(c, await catalogAdmin(c.env).list(spec.collection, archived.data, owner));
  });

  admin.post(base, async (c) => {
    return write(c, { op: 'create', collection: spec.collection, body: await readAdminBody(c) });
  });

  admin.get(item, async (c) => {
    const found = await catalogAdmin(c.env).read(spec.collection, keyOf(c));
    if (!found) throw new AppError('not_found', `no such ${spec.noun}`);
    c.header('ETag', found.etag);
    return sendJson(c, found.body);
  });

  admin.put(item, async (c) => {
    const key = keyOf(c);
    const body = await readAdminBody(c);
    return write(c, { op: 'replace', collection: spec.collection, key, body, ifMatch: ifMatch(c) });
  });

  admin.patch(item, async (c) => {
    const key = keyOf(c);
    const patch = await readAdminBody(c);
    return write(c, { op: 'patch', collection: spec.collection, key, patch, ifMatch: ifMatch(c) });
  });

  const actions = spec.pausable ? (['archive', 'restore', 'pause', 'resume'] as const) : (['archive', 'restore'] as const);
  for (const action of actions) {
    admin.post(`${item}/${action}`, async (c) => {
      const key = keyOf(c);
      return write(c, { op: action, collection: spec.collection, key, ifMatch: ifMatch(c) });
    });
    admin.all(`${item}/${action}`, methodNotAllowed('POST'));
  }
  admin.all(base, methodNotAllowed('GET, POST'));
  admin.all(item, methodNotAllowed('GET, PUT, PATCH'));
}

for (const spec of KIND_LIST) routes(spec);
