/**
 * `GET /openapi.json`: the OpenAPI document, generated from the validating schemas
 * (core/openapi). Built once per isolate on first request (tens of milliseconds) and kept.
 */
import { Hono } from 'hono';
import { openApiDocument } from '../core/openapi/document';

let cached: string | undefined;

export const openapi = new Hono<{ Bindings: Env }>();

openapi.get('/', (c) => {
  cached ??= JSON.stringify(openApiDocument());
  c.header('Content-Type', 'application/json; charset=UTF-8');
  c.header('Cache-Control', 'public, max-age=300');
  return c.body(cached);
});
