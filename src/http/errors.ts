/**
 * The one error handler: AppError → its JSON body and status; anything else → a generic
 * `500` whose log line names the error class only (messages may carry request data).
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { AppError } from '../core/errors';
import { log } from '../log';

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException && err.status === 413) return new AppError('payload_too_large', 'request body is too large');
  return new AppError('internal', 'internal error');
}

export function onError(err: unknown, c: Context): Response {
  const appErr = toAppError(err);
  if (appErr.code === 'internal') {
    log('error', 'unhandled_error', { route: routePath(c), error: err instanceof Error ? err.name : typeof err });
  }
  return c.json(appErr.toJSON(), appErr.status);
}

export function notFound(c: Context): Response {
  const err = new AppError('not_found', 'no such endpoint');
  return c.json(err.toJSON(), err.status);
}

/** For a known path called with the wrong method. */
export function methodNotAllowed(allow: string) {
  return function methodNotAllowedHandler(c: Context): Response {
    const err = new AppError('method_not_allowed', `this endpoint accepts ${allow}`);
    c.header('Allow', allow);
    return c.json(err.toJSON(), err.status);
  };
}
