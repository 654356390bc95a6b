// Sends the fuzzer's requests (node:http with keep-alive: raw paths and raw bytes, no client-side
// normalisation) and judges each answer. A finding is anything that must never happen:
//   5xx · no answer (connection error, timeout) · slower than the bound · a 4xx that is not our
//   JSON error envelope, carries a stack trace or echoes planted request data · a wrong or missing
//   credential not answered 401 · a status the endpoint never gives · a 2xx body of the wrong shape.
import http from 'node:http';
import { CANARY } from './fuzz-values.mjs';

const SUCCESS = {
  '/openrtb2/bid': [200, 204],
  '/v1/decisions': [200],
  '/v1/events': [202],
  '/v1/t': [200, 204, 302],
};
const ERROR_STATUSES = [400, 401, 403, 404, 405, 410, 413, 429];
const GUARDED = Symbol('socket error guard');
const STACK = /\bat [^\s]+ \(?[^\s]*:\d+:\d+\)?/;

export function endpointOf(path) {
  if (path.startsWith('/v1/t/')) return '/v1/t';
  return path.split('?')[0];
}

/**
 * @param {{ base: URL, concurrency: number, timeoutMs: number, authFor: (path: string) => Record<string, string> }} opts
 */
export function createClient({ base, concurrency, timeoutMs, authFor }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

  function bogusHeaders(how) {
    switch (how) {
      case 'none':
        return {};
      case 'wrong':
        return { authorization: 'Bearer fuzz-not-a-real-token-000000' };
      case 'basic':
        return { authorization: 'Basic ZnV6ejpmdXp6' };
      case 'empty-bearer':
        return { authorization: 'Bearer ' };
      default:
        return { authorization: `Bearer ${'t'.repeat(4_096)}` };
    }
  }

  /**
   * A kept-alive connection the worker has meanwhile closed fails with ECONNRESET on reuse (the
   * race Node's docs describe for `reusedSocket`): that one is retried on a new connection.
   * @returns {Promise<{ status: number, headers: object, body: Buffer, ms: number } | { error: string, ms: number }>}
   */
  async function send(c) {
    const first = await sendOnce(c, agent);
    return first.staleSocket ? sendOnce(c, false) : first;
  }

  function sendOnce(c, via) {
    const body = c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, 'utf8');
    const headers = {
      ...(c.auth === 'ok' ? authFor(c.path) : bogusHeaders(c.auth)),
      ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
      ...(c.ip ? { 'cf-connecting-ip': c.ip } : {}),
    };
    const started = performance.now();
    return new Promise((resolve) => {
      const req = http.request({ host: base.hostname, port: base.port, method: c.method, path: c.path, headers, agent: via, timeout: timeoutMs }, (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
        res.on('error', (e) => resolve({ error: `response: ${e.code ?? e.message}`, ms: performance.now() - started }));
      });
      // The worker may answer (413, 401) and close before it has read a large body; the write
      // then fails on a socket the finished request no longer listens to. The answer counts.
      req.on('socket', (socket) => {
        if (!socket[GUARDED]) {
          socket[GUARDED] = true;
          socket.on('error', () => undefined);
        }
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) =>
        resolve({
          error: e.message === 'timeout' ? `no answer within ${timeoutMs} ms` : `request: ${e.code ?? e.message}`,
          ms: performance.now() - started,
          staleSocket: req.reusedSocket && e.code === 'ECONNRESET',
        }),
      );
      if (body) req.end(body);
      else req.end();
    });
  }

  return { send, close: () => agent.destroy() };
}

/** Why this answer to this case is a finding, or null. (Slowness is judged by the caller.) */
export function judge(c, r) {
  if ('error' in r) return { kind: 'no_answer', detail: r.error };
  if (r.status >= 500) return { kind: '5xx', detail: `${r.status} ${r.body.toString('utf8').slice(0, 300)}` };
  const endpoint = endpointOf(c.path);
  const text = r.body.toString('utf8');
  if (c.auth !== 'ok' && r.status !== 401) return { kind: 'auth', detail: `credential '${c.auth}' answered ${r.status}, expected 401` };
  if (r.status >= 400) return errorBodyProblem(r, text);
  if (c.method !== (endpoint === '/v1/t' ? 'GET' : 'POST')) return { kind: 'unexpected_status', detail: `${c.method} answered ${r.status}` };
  if (!SUCCESS[endpoint]?.includes(r.status)) return { kind: 'unexpected_status', detail: `${r.status}` };
  return successBodyProblem(endpoint, r, text);
}

function errorBodyProblem(r, text) {
  if (!ERROR_STATUSES.includes(r.status)) return { kind: 'unexpected_status', detail: `${r.status}` };
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'bad_error_body', detail: `${r.status} without a JSON body` };
  }
  const e = json?.error;
  if (!e || typeof e.code !== 'string' || e.status !== r.status || typeof e.message !== 'string') {
    return { kind: 'bad_error_body', detail: `${r.status} body is not { error: { code, status, message } }` };
  }
  if (STACK.test(text)) return { kind: 'stack_trace', detail: e.code };
  if (text.includes(CANARY)) return { kind: 'echo', detail: `${e.code} echoes request data` };
  if (r.status === 429 && !r.headers['retry-after']) return { kind: 'bad_error_body', detail: '429 without Retry-After' };
  if (r.status === 401 && !r.headers['www-authenticate']) return { kind: 'bad_error_body', detail: '401 without WWW-Authenticate' };
  return null;
}

function successBodyProblem(endpoint, r, text) {
  const json = () => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  switch (endpoint) {
    case '/openrtb2/bid': {
      if (r.status === 204) return text === '' ? null : { kind: 'bad_body', detail: '204 with a body' };
      const b = json();
      // A 200 either bids (seatbid) or is OpenRTB's empty no-bid response with a reason (nbr).
      return b && typeof b.id === 'string' && (Array.isArray(b.seatbid) || Number.isInteger(b.nbr)) ? null : { kind: 'bad_body', detail: '200 is not a BidResponse' };
    }
    case '/v1/decisions': {
      const b = json();
      return b && Array.isArray(b.decisions) ? null : { kind: 'bad_body', detail: '200 without decisions' };
    }
    case '/v1/events': {
      const b = json();
      return b && typeof b.accepted === 'number' ? null : { kind: 'bad_body', detail: '202 without accepted' };
    }
    case '/v1/t': {
      if (r.status !== 302) return null;
      const to = r.headers.location ?? '';
      return /^https?:\/\//i.test(to) ? null : { kind: 'bad_body', detail: 'redirect to a non-http(s) location' };
    }
    default:
      return null;
  }
}
