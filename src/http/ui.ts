/**
 * `/ui`: the campaign manager's page (src/ui). Public, like any static file: the shell holds no
 * data and no secret; the operator types the admin token into the page, which keeps it in memory
 * and sends it as a bearer token to the same admin, report and decision APIs anyone would call.
 *
 * The CSP allows only our own script, style and API origin: no inline code, no framing, no form
 * posting anywhere (a failed script cannot turn the token form into a GET with the token in the
 * URL), and Trusted Types so no string can reach an HTML sink.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { UI_HTML } from '../ui/page';
import { UI_SCRIPT } from '../ui/script';
import { UI_CSS } from '../ui/styles';
import { methodNotAllowed } from './errors';

export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

function securityHeaders(): MiddlewareHandler<{ Bindings: Env }> {
  return async function uiSecurityHeaders(c, next) {
    await next();
    c.header('Content-Security-Policy', UI_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    // Small files that change with each deploy: always revalidate rather than version their URLs.
    c.header('Cache-Control', 'no-cache');
  };
}

function asset(body: string, contentType: string) {
  return function serveAsset(c: Context): Response {
    return c.body(body, 200, { 'Content-Type': contentType });
  };
}

export const ui = new Hono<{ Bindings: Env }>();

ui.use('*', securityHeaders());
ui.get('/', asset(UI_HTML, 'text/html; charset=utf-8'));
ui.get('/app.js', asset(UI_SCRIPT, 'text/javascript; charset=utf-8'));
ui.get('/app.css', asset(UI_CSS, 'text/css; charset=utf-8'));
for (const path of ['/', '/app.js', '/app.css']) ui.all(path, methodNotAllowed('GET'));
