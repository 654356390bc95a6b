/**
 * Counts the calls Cloudflare bills per call — Durable Object requests, KV reads (per key, as
 * bulk reads are billed), writes, deletes and lists, queue messages — by wrapping the bindings of
 * an `env` in counting proxies. For `npm run loadtest`'s cost per decision; the worker only does
 * this with `COST_COUNTERS=on` (src/http/cost-debug.ts), so production runs on the raw bindings.
 *
 * Counts are per isolate and per source (a route like `POST /openrtb2/bid`, or `queue <name>`),
 * so background work a request started (`waitUntil`: catalog refresh, pacing, ledger outbox) is
 * charged to that request's route. Calls a Durable Object makes from its own `env` (an alias
 * forward, dead letters, its KV write-behind) are not seen: they are the object's, not the
 * caller's.
 */

export interface KvCounts {
  calls: number;
  /** Keys read: what reads are billed by (a bulk get of n keys is n reads). */
  readKeys: number;
  writes: number;
  deletes: number;
  lists: number;
}

export interface DurableObjectCounts {
  /** RPC method calls and fetches on stubs: each is one billed request. */
  calls: number;
  methods: Record<string, number>;
}

export interface QueueCounts {
  sends: number;
  messages: number;
}

export interface SourceCounts {
  /** Requests (or queue batches) that went through this source. */
  invocations: number;
  kv: Record<string, KvCounts>;
  durableObjects: Record<string, DurableObjectCounts>;
  queues: Record<string, QueueCounts>;
}

export interface CostSnapshot {
  readonly sinceMs: number;
  readonly sources: Record<string, SourceCounts>;
}

/** Path-derived source names are bounded, so a scan of random paths cannot grow the table. */
const MAX_SOURCES = 64;
const OVERFLOW_SOURCE = 'other';

let sinceMs = Date.now();
let sources = new Map<string, SourceCounts>();
/** Counting views per real env and source, so per-env caches (config, policies) keep working. */
let views = new WeakMap<Env, Map<string, Env>>();

export function resetCosts(nowMs: number): void {
  sinceMs = nowMs;
  sources = new Map();
  views = new WeakMap();
}

export function costSnapshot(): CostSnapshot {
  return { sinceMs, sources: Object.fromEntries(sources) };
}

function countsFor(source: string): SourceCounts {
  const key = sources.has(source) || sources.size < MAX_SOURCES ? source : OVERFLOW_SOURCE;
  let c = sources.get(key);
  if (!c) {
    c = { invocations: 0, kv: {}, durableObjects: {}, queues: {} };
    sources.set(key, c);
  }
  return c;
}

/** `POST /openrtb2/bid`, `GET /v1/t` …: method and the first two path segments. */
export function routeSource(method: string, path: string): string {
  return `${method} ${path.split('/').slice(0, 3).join('/')}`;
}

const isFunction = (v: unknown): v is (...args: unknown[]) => unknown => typeof v === 'function';

function hasMethods(v: unknown, names: readonly string[]): v is object {
  return typeof v === 'object' && v !== null && names.every((n) => isFunction(Reflect.get(v, n)));
}

/** A proxy whose method calls run `onCall` first; `wrapResult` may replace what a call returns. */
function countingProxy<T extends object>(target: T, onCall: (method: string, args: unknown[]) => void, wrapResult?: (method: string, result: unknown) => unknown): T {
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop);
      if (typeof prop !== 'string' || !isFunction(value)) return value;
      return (...args: unknown[]): unknown => {
        onCall(prop, args);
        const result: unknown = Reflect.apply(value, t, args);
        return wrapResult ? wrapResult(prop, result) : result;
      };
    },
  });
}

function countKv(kv: object, c: KvCounts): object {
  return countingProxy(kv, (method, args) => {
    c.calls++;
    if (method === 'get' || method === 'getWithMetadata') c.readKeys += Array.isArray(args[0]) ? args[0].length : 1;
    else if (method === 'put') c.writes++;
    else if (method === 'delete') c.deletes++;
    else if (method === 'list') c.lists++;
  });
}

function countStub(stub: object, c: DurableObjectCounts): object {
  return countingProxy(stub, (method) => {
    c.calls++;
    c.methods[method] = (c.methods[method] ?? 0) + 1;
  });
}

function countNamespace(ns: object, c: DurableObjectCounts): object {
  return countingProxy(
    ns,
    () => undefined,
    (method, result) => ((method === 'get' || method === 'getByName') && typeof result === 'object' && result !== null ? countStub(result, c) : result),
  );
}

function countQueue(queue: object, c: QueueCounts): object {
  return countingProxy(queue, (method, args) => {
    if (method === 'send') {
      c.sends++;
      c.messages++;
    } else if (method === 'sendBatch') {
      c.sends++;
      c.messages += Array.isArray(args[0]) ? args[0].length : 0;
    }
  });
}

/** Wraps one binding by what it looks like; anything else (vars, secrets, rate limiters) is returned as is. */
function wrapBinding(name: string, value: unknown, counts: SourceCounts): unknown {
  if (hasMethods(value, ['idFromName', 'get'])) {
    const c = (counts.durableObjects[name] ??= { calls: 0, methods: {} });
    return countNamespace(value, c);
  }
  if (hasMethods(value, ['get', 'put', 'list', 'delete'])) {
    const c = (counts.kv[name] ??= { calls: 0, readKeys: 0, writes: 0, deletes: 0, lists: 0 });
    return countKv(value, c);
  }
  if (hasMethods(value, ['send', 'sendBatch'])) {
    const c = (counts.queues[name] ??= { sends: 0, messages: 0 });
    return countQueue(value, c);
  }
  return value;
}

/**
 * `env` as seen by `source`, counting its binding calls; one invocation is counted per call of
 * this function. The view is cached per env and source (and dropped by a reset).
 */
export function countedEnv(env: Env, source: string): Env {
  const counts = countsFor(source);
  counts.invocations++;
  let bySource = views.get(env);
  if (!bySource) {
    bySource = new Map();
    views.set(env, bySource);
  }
  const cached = bySource.get(source);
  if (cached) return cached;
  const wrapped = new Map<string | symbol, unknown>();
  const view = new Proxy(env, {
    get(t, prop) {
      if (wrapped.has(prop)) return wrapped.get(prop);
      const value: unknown = Reflect.get(t, prop);
      const result = typeof prop === 'string' ? wrapBinding(prop, value, counts) : value;
      wrapped.set(prop, result);
      return result;
    },
  });
  bySource.set(source, view);
  return view;
}
