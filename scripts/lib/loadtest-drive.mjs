// Load generators for scripts/loadtest.mjs, both recording the same per-response facts:
//   closedLoop  autocannon with a fixed number of connections, each sending its next request as
//               soon as the previous answer is in (saturation; throughput at a concurrency)
//   openLoop    requests sent on a fixed schedule whatever the answers do (a fixed rate), over a
//               keep-alive pool. autocannon's own rate option lets every connection send its
//               share at the top of each second and then idle, which measures bursts; latency here
//               counts from when the request was due, so a stall is not hidden by sending less.
// Per response: latency, status, late (slower than the request's tmax), no-bid (204), the
// profile source header, and the Server-Timing entries of sampled requests.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export const REQUEST_TIMEOUT_S = 10;
const SOURCES = ['do', 'kv', 'none', 'unknown'];

/** What one run collected; summarised by loadtest-report.mjs. */
export function newSamples() {
  return { latencies: [], statuses: {}, late: 0, noBids: 0, sources: { do: 0, kv: 0, none: 0, unknown: 0, other: 0 }, timings: [], failures: [], errors: 0, timeouts: 0, dropped: 0, elapsedS: 0 };
}

/** A header from Node's (lower-cased) or autocannon's (as sent) header object. */
function header(headers, name) {
  const v = headers[name] ?? headers[Object.keys(headers).find((k) => k.toLowerCase() === name) ?? ''];
  return Array.isArray(v) ? v[0] : v;
}

/** `parse;dur=0.5, consent;dur=0` → { parse: 0.5, consent: 0 }. */
export function parseServerTiming(value) {
  const out = {};
  for (const part of value.split(',')) {
    const m = /^\s*([A-Za-z0-9_-]+)\s*;\s*dur=([0-9.]+)\s*$/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

function account(samples, meta, status, headers, latencyMs, body) {
  samples.latencies.push(latencyMs);
  samples.statuses[status] = (samples.statuses[status] ?? 0) + 1;
  if (status < 200 || status > 299) {
    samples.errors++;
    if (samples.failures.length < 3) samples.failures.push(`${status} ${String(body ?? '').replace(/\s+/g, ' ').slice(0, 160)}`);
  }
  if (meta.tmax !== undefined && latencyMs > meta.tmax) samples.late++;
  if (!meta.bid) return;
  if (status === 204) samples.noBids++;
  const source = header(headers, 'x-edgebid-profile-source');
  if (source !== undefined) samples.sources[SOURCES.includes(source) ? source : 'other']++;
  const timing = header(headers, 'server-timing');
  if (meta.timing && timing !== undefined) {
    const t = parseServerTiming(timing);
    // What the handler did not see: runtime queueing, wrangler's proxy, the socket, the load generator.
    if (t.total !== undefined) t.outside = Math.max(0, latencyMs - t.total);
    samples.timings.push({ ...t, late: meta.tmax !== undefined && latencyMs > meta.tmax });
  }
}

/**
 * @param {{ base: URL, connections: number, durationS: number, next: () => { method: string, path: string, body?: string, headers?: object, tmax?: number, bid: boolean, timing?: boolean } }} opts
 * @returns {{ done: Promise<ReturnType<typeof newSamples>>, stop: () => void }}
 */
export function closedLoop({ base, connections, durationS, next }) {
  const samples = newSamples();
  let instance;
  const done = new Promise((resolve, reject) => {
    const first = next();
    instance = autocannon(
      {
        url: base.origin,
        connections,
        duration: durationS,
        timeout: REQUEST_TIMEOUT_S,
        requests: [
          {
            method: first.method,
            path: first.path,
            setupRequest: (req, context) => {
              const r = next();
              context.meta = r;
              context.sentAt = performance.now();
              return { ...req, method: r.method, path: r.path, headers: r.headers, body: r.body };
            },
            onResponse: (status, body, context, headers) => {
              account(samples, context.meta ?? {}, status, headers, performance.now() - (context.sentAt ?? performance.now()), body);
            },
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        samples.elapsedS = result.duration;
        samples.timeouts = result.timeouts;
        // Connection errors and timeouts never reach onResponse.
        samples.errors += result.errors;
        samples.late += result.timeouts;
        resolve(samples);
      },
    );
  });
  return { done, stop: () => instance?.stop() };
}

/**
 * @param {{ base: URL, ratePerSec: number, durationS: number, next: Function, maxInFlight?: number }} opts
 * @returns {{ done: Promise<ReturnType<typeof newSamples>>, stop: () => void }}
 */
export function openLoop({ base, ratePerSec, durationS, next, maxInFlight = 512 }) {
  const samples = newSamples();
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const intervalMs = 1000 / ratePerSec;
  const total = Math.round(ratePerSec * durationS);
  let stopped = false;
  const done = new Promise((resolve) => {
    const start = performance.now();
    let sent = 0;
    let inFlight = 0;
    let finishedSending = false;
    const finish = () => {
      if (!finishedSending || inFlight > 0) return;
      samples.elapsedS = (performance.now() - start) / 1000;
      agent.destroy();
      resolve(samples);
    };
    const fire = (dueAt) => {
      if (inFlight >= maxInFlight) {
        samples.dropped++;
        return;
      }
      const r = next();
      inFlight++;
      const req = http.request(
        { host: base.hostname, port: base.port, method: r.method, path: r.path, headers: { ...r.headers, ...(r.body ? { 'content-length': Buffer.byteLength(r.body) } : {}) }, agent, timeout: REQUEST_TIMEOUT_S * 1000 },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            inFlight--;
            const body = res.statusCode >= 200 && res.statusCode < 300 ? '' : Buffer.concat(chunks).toString('utf8');
            account(samples, r, res.statusCode ?? 0, res.headers, performance.now() - dueAt, body);
            finish();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        inFlight--;
        samples.errors++;
        if (err.message === 'timeout') {
          samples.timeouts++;
          samples.late++;
        } else if (samples.failures.length < 3) samples.failures.push(`connection: ${err.message}`);
        finish();
      });
      req.end(r.body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        fire(start + sent * intervalMs);
        sent++;
      }
      if (sent >= total || stopped) {
        finishedSending = true;
        finish();
        return;
      }
      setTimeout(tick, Math.max(0, Math.min(1, start + sent * intervalMs - now)));
    };
    tick();
  });
  return {
    done,
    // The next tick (at most 1 ms away) sees it, stops sending and waits for what is in flight.
    stop: () => {
      stopped = true;
    },
  };
}
