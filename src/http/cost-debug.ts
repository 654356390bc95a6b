/**
 * The switch for src/http/cost-counters.ts and its window. With the var `COST_COUNTERS=on` (set
 * by `npm run loadtest` on the worker it starts; never in production) every request and queue
 * batch runs on a counting view of `env`, and the operator reads the counts with
 * `GET /v1/admin/debug/costs` (admin token) and zeroes them with `DELETE` on the same path.
 * Off, the middleware costs one property check per request and the route answers 404.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { AppError } from '../core/errors';
import { costSnapshot, countedEnv, resetCosts, routeSource } from './cost-counters';

/** Where app.ts mounts `costDebug`; its own requests are not counted. */
export const COST_DEBUG_PATH = '/v1/admin/debug/costs';

export function costCountingOn(env: Env): boolean {
  return 'COST_COUNTERS' in env && env.COST_COUNTERS === 'on';
}

/** Hands the rest of the request a counting `env` when the switch is on. */
export function costCounting(): MiddlewareHandler<{ Bindings: Env }> {
  return async function costCountingMiddleware(c, next) {
    if (costCountingOn(c.env) && c.req.path !== COST_DEBUG_PATH) c.env = countedEnv(c.env, routeSource(c.req.method, c.req.path));
    await next();
  };
}

/** The queue handler's `env`: counted under `queue <name>` when the switch is on. */
export function queueEnv(env: Env, queue: string): Env {
  return costCountingOn(env) ? countedEnv(env, `queue ${queue}`) : env;
}

export const costDebug = new Hono<{ Bindings: Env }>();

function assertOn(env: Env): void {
  if (!costCountingOn(env)) throw new AppError('not_found', 'cost counters are off (set COST_COUNTERS=on; see README, "Speed")');
}

costDebug.get('/', (c) => {
  assertOn(c.env);
  return c.json(costSnapshot());
});

costDebug.delete('/', (c) => {
  assertOn(c.env);
  resetCosts(Date.now());
  return c.body(null, 204);
});
