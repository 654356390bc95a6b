/** Helpers for the admin API tests: call it like a client and check answers against its own schemas. */
import { expect } from 'vitest';
import type { z } from 'zod';
import { errorBodySchema } from '../src/core/catalog/admin-api';
import { fetchWorker, ORIGIN, type AuthChoice } from './helpers';

export interface Call {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export async function adminCall(
  method: string,
  path: string,
  options: { body?: unknown; ifMatch?: string; auth?: AuthChoice } = {},
): Promise<Call> {
  const headers = new Headers();
  if (options.ifMatch !== undefined) headers.set('if-match', options.ifMatch);
  const res = await fetchWorker(`${ORIGIN}/v1/admin${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

/** The body, after checking the status and that it has the documented shape. */
export function expectShape<S extends z.ZodType>(call: Call, status: number, schema: S): z.infer<S> {
  expect(call.status, JSON.stringify(call.body)).toBe(status);
  const parsed = schema.safeParse(call.body);
  if (!parsed.success) throw new Error(`response does not match its schema: ${JSON.stringify(parsed.error.issues.slice(0, 5))}`);
  return parsed.data;
}

export function expectError(call: Call, status: number, code: string): z.infer<typeof errorBodySchema>['error'] {
  const body = expectShape(call, status, errorBodySchema);
  expect(body.error.code).toBe(code);
  return body.error;
}
