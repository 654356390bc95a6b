/** The Hono app: one sub-app per caller, one error handler, JSON 404/405. */
import { Hono } from 'hono';
import { admin } from './http/admin';
import { adminDlq } from './http/admin-dlq';
import { authenticate } from './http/auth';
import { COST_DEBUG_PATH, costCounting, costDebug } from './http/cost-debug';
import { decisions } from './http/decisions';
import { methodNotAllowed, notFound, onError } from './http/errors';
import { events } from './http/events';
import { isValidExchangeNotice } from './http/exchange-notice';
import { openapi } from './http/openapi';
import { openrtb } from './http/openrtb';
import { perClientIp, perPrincipal, rateLimit, unless } from './http/rate-limit';
import { reports } from './http/reports';
import { tracking } from './http/tracking';
import { ui } from './http/ui';
import { users } from './http/users';

export const app = new Hono<{ Bindings: Env }>();

// Cost counters first (a no-op unless COST_COUNTERS=on), so what auth and rate limits call is counted too.
app.use('*', costCounting());
// Before any route: who is calling (401/403), then how often (429), then the handlers.
app.use('*', authenticate());
app.use('/v1/events', rateLimit(perPrincipal('events_principal', (env) => env.RL_EVENTS_PRINCIPAL), perClientIp('events_ip', (env) => env.RL_EVENTS_IP)));
// Exchange win and billing notices come from few server IPs at high rates: not limited per IP.
app.use('/v1/t/:token', rateLimit(unless(perClientIp('tracking_ip', (env) => env.RL_TRACKING_IP), isValidExchangeNotice)));

app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.route('/openrtb2', openrtb);
app.route('/v1/decisions', decisions);
app.route('/v1/events', events);
app.route('/v1/t', tracking);
app.route('/v1/users', users);
app.route('/v1/admin/dlq', adminDlq);
app.route(COST_DEBUG_PATH, costDebug);
app.route('/v1/admin', admin);
app.route('/openapi.json', openapi);
app.route('/v1/reports', reports);
app.route('/ui', ui);

app.all('/healthz', methodNotAllowed('GET'));
app.all('/openapi.json', methodNotAllowed('GET'));
app.all('/openrtb2/bid', methodNotAllowed('POST'));
app.all('/v1/decisions', methodNotAllowed('POST'));
app.all('/v1/events', methodNotAllowed('POST'));
app.all('/v1/t/:token', methodNotAllowed('GET'));
app.all('/v1/users/:key', methodNotAllowed('DELETE'));
app.all('/v1/users/:key/opt-out', methodNotAllowed('POST'));
app.all('/v1/users/:key/opt-in', methodNotAllowed('POST'));
app.all('/v1/admin/dlq', methodNotAllowed('GET'));
app.all('/v1/admin/dlq/replay', methodNotAllowed('POST'));

app.notFound(notFound);
app.onError(onError);
