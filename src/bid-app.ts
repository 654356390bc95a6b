/**
 * The exchange hot path's own app: `POST /openrtb2/bid` with exactly the middleware app.ts gives
 * it (cost counters, authentication; no rate limit), the same handler and the same error handler.
 * Exchanges send thousands of bids a second; routing them through the full app walked every
 * route of the API on each one (a few % of the isolate under load). index.ts picks this app by
 * method and path, so every other request — including `GET /openrtb2/bid` (405) — takes app.ts.
 */
import { Hono } from 'hono';
import { authenticate } from './http/auth';
import { costCounting } from './http/cost-debug';
import { notFound, onError } from './http/errors';
import { openrtb } from './http/openrtb';

export const bidApp = new Hono<{ Bindings: Env }>();

bidApp.use('*', costCounting());
bidApp.use('*', authenticate());
bidApp.route('/openrtb2', openrtb);
bidApp.notFound(notFound);
bidApp.onError(onError);

const BID_PATH = '/openrtb2/bid';

/** Whether `req` is a bid (POST to the bid path, any query), without parsing the URL. */
export function isBid(req: Request): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url;
  // The path starts at the first "/" after "scheme://".
  const at = url.indexOf('/', url.indexOf('//') + 2);
  if (at < 0 || !url.startsWith(BID_PATH, at)) return false;
  const end = at + BID_PATH.length;
  return end === url.length || url[end] === '?' || url[end] === '#';
}
