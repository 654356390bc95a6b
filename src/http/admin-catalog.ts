/**
 * `/v1/admin/catalog`: which version is current, the kept versions and the history of
 * publications and rollbacks; one kept version's document; and rollback — to a named version or,
 * without one, to the current version's parent (undo the last change) — in one call.
 */
import { Hono } from 'hono';
import { historyQuerySchema, rollbackBodySchema } from '../core/catalog/admin-api';
import { AppError } from '../core/errors';
import { fieldIssues } from '../core/zod-issues';
import { actor, catalogAdmin, failureResponse, readOptionalBody } from './admin-object';
import { methodNotAllowed } from './errors';

export const adminCatalog = new Hono<{ Bindings: Env }>();

adminCatalog.get('/', async (c) => {
  const query = historyQuerySchema.safeParse({ limit: c.req.query('limit') });
  if (!query.success) throw new AppError('invalid_request', 'bad query', fieldIssues(query.error));
  const info = await catalogAdmin(c.env).info(query.data.limit);
  c.header('ETag', info.etag);
  return c.json(info);
});

adminCatalog.get('/versions/:version', async (c) => {
  const version = Number(c.req.param('version'));
  const doc = Number.isSafeInteger(version) && version >= 0 ? await catalogAdmin(c.env).document(version) : null;
  if (doc === null) throw new AppError('not_found', 'no such catalog version in the kept history');
  // Exactly the bytes published to KV.
  return c.body(doc, 200, { 'Content-Type': 'application/json; charset=UTF-8' });
});

adminCatalog.post('/rollback', async (c) => {
  const body = rollbackBodySchema.safeParse(await readOptionalBody(c));
  if (!body.success) throw new AppError('invalid_request', 'rollback request is invalid', fieldIssues(body.error));
  const result = await catalogAdmin(c.env).rollback(body.data.version, c.req.header('if-match'), actor(c));
  if (!result.ok) return failureResponse(c, result.failure);
  const { current, previous, changed, published } = result;
  return c.json({ current, previous, changed, published });
});

adminCatalog.all('/', methodNotAllowed('GET'));
adminCatalog.all('/versions/:version', methodNotAllowed('GET'));
adminCatalog.all('/rollback', methodNotAllowed('POST'));
