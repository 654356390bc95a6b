// Turns what scripts/loadtest.mjs collected into its report: one row per scenario (the `--json`
// shape the issue fixes, plus a few fields), the Server-Timing aggregate, the cost per 1,000,000
// decisions, the goals measured in this run, and the text table.

const round = (n, digits = 2) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** One scenario's row. `load` is { concurrency } or { ratePerSec }. */
export function summarise({ name, mode, route, bid, load }, samples) {
  const sorted = Float64Array.from(samples.latencies).sort();
  const fivexx = Object.entries(samples.statuses).reduce((a, [status, n]) => a + (Number(status) >= 500 ? n : 0), 0);
  return {
    name,
    mode,
    route,
    concurrency: load.concurrency ?? null,
    ratePerSec: load.ratePerSec ?? null,
    rps: round(samples.latencies.length / samples.elapsedS, 1),
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.length ? sorted[sorted.length - 1] : NaN),
    requests: samples.latencies.length,
    errors: samples.errors,
    fivexx,
    late: samples.late,
    noBids: bid ? samples.noBids : null,
    profileSources: bid ? { do: samples.sources.do, kv: samples.sources.kv, none: samples.sources.none, unknown: samples.sources.unknown } : null,
    ratioToBaseline: null,
    p50DeltaMs: null,
    p99DeltaMs: null,
    _samples: samples,
  };
}

/** Fills ratioToBaseline (req/s ÷ the baseline's at the same concurrency or rate) and the latency deltas. */
export function relateToBaselines(rows) {
  for (const r of rows) {
    const b = rows.find((x) => x.name === 'baseline' && x.mode === r.mode && x.concurrency === r.concurrency && x.ratePerSec === r.ratePerSec);
    if (!b) continue;
    r.ratioToBaseline = b.rps ? round(r.rps / b.rps) : null;
    r.p50DeltaMs = round(r.p50Ms - b.p50Ms);
    r.p99DeltaMs = round(r.p99Ms - b.p99Ms);
  }
}

/** Per stage over the sampled requests: how many had it, mean, p90 (1 ms clock: read the means). */
export function timingAggregate(samples, which = () => true) {
  const stages = new Map();
  for (const t of samples.timings) {
    if (!which(t)) continue;
    for (const [k, v] of Object.entries(t)) if (typeof v === 'number') stages.set(k, [...(stages.get(k) ?? []), v]);
  }
  const out = {};
  const order = ['parse', 'consent', 'profile', 'decide', 'sign', 'serialise', 'total', 'outside'];
  const rank = (k) => (order.includes(k) ? order.indexOf(k) : order.length);
  for (const [stage, values] of [...stages].sort(([a], [b]) => rank(a) - rank(b))) {
    const sorted = Float64Array.from(values).sort();
    out[stage] = { n: values.length, meanMs: round(values.reduce((a, b) => a + b, 0) / values.length, 3), p90Ms: round(percentile(sorted, 90)), maxMs: round(sorted[sorted.length - 1]) };
  }
  return out;
}

/** Sums the counter snapshot's sources into per-1,000,000-decision figures. */
export function costPerMillion(snapshot, decisionSources, decisions) {
  const totals = { durableObjectCalls: 0, kvReads: 0, kvWrites: 0, kvDeletes: 0, kvLists: 0, queueMessages: 0 };
  const bySource = {};
  /** KV keys read and object calls per binding (e.g. PROFILE_SNAPSHOTS vs CATALOG). */
  const byBinding = {};
  for (const [source, c] of Object.entries(snapshot.sources)) {
    if (!decisionSources(source)) continue;
    for (const [name, k] of Object.entries(c.kv)) byBinding[`kv ${name} reads`] = (byBinding[`kv ${name} reads`] ?? 0) + k.readKeys;
    for (const [name, d] of Object.entries(c.durableObjects)) byBinding[`do ${name} calls`] = (byBinding[`do ${name} calls`] ?? 0) + d.calls;
    const s = { durableObjectCalls: 0, kvReads: 0, kvWrites: 0, kvDeletes: 0, kvLists: 0, queueMessages: 0 };
    for (const d of Object.values(c.durableObjects)) s.durableObjectCalls += d.calls;
    for (const k of Object.values(c.kv)) {
      s.kvReads += k.readKeys;
      s.kvWrites += k.writes;
      s.kvDeletes += k.deletes;
      s.kvLists += k.lists;
    }
    for (const q of Object.values(c.queues)) s.queueMessages += q.messages;
    bySource[source] = s;
    for (const k of Object.keys(totals)) totals[k] += s[k];
  }
  const per = (n) => (decisions > 0 ? Math.round((n / decisions) * 1_000_000) : null);
  return {
    decisions,
    perMillion: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, per(v)])),
    bySource: Object.fromEntries(Object.entries(bySource).map(([src, s]) => [src, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, per(v)]))])),
    byBinding: Object.fromEntries(Object.entries(byBinding).map(([k, v]) => [k, per(v)])),
  };
}

/** The goals, each with what this run measured and whether it met it. */
export function goals(rows) {
  const at50 = (name) => rows.find((r) => r.name === name && r.concurrency === 50);
  const rated = (name) => rows.find((r) => r.name === name && r.ratePerSec !== null);
  const mix50 = at50('mix');
  const mixRated = rated('mix');
  const bids = rows.filter((r) => r.route.startsWith('POST'));
  const out = [];
  if (mix50) out.push({ goal: 'mix req/s at c=50 ≥ 85 % of the baseline’s', measured: mix50.ratioToBaseline, met: mix50.ratioToBaseline !== null && mix50.ratioToBaseline >= 0.85 });
  if (mixRated) {
    out.push({ goal: `at half the saturating rate (${mixRated.ratePerSec}/s): p50 ≤ baseline + 1 ms`, measured: mixRated.p50DeltaMs, met: mixRated.p50DeltaMs !== null && mixRated.p50DeltaMs <= 1 });
    out.push({ goal: `at half the saturating rate (${mixRated.ratePerSec}/s): p99 ≤ baseline + 3 ms`, measured: mixRated.p99DeltaMs, met: mixRated.p99DeltaMs !== null && mixRated.p99DeltaMs <= 3 });
  }
  // Saturation runs queue by construction (Little's law: latency ≈ connections ÷ throughput), so
  // lateness is judged where the offered load is below capacity; the table shows every run's.
  const late = bids.filter((r) => r.ratePerSec !== null).reduce((a, r) => a + r.late, 0);
  const lateSaturated = bids.filter((r) => r.ratePerSec === null).reduce((a, r) => a + r.late, 0);
  const fivexx = rows.reduce((a, r) => a + r.fivexx, 0);
  out.push({ goal: 'no answer later than its tmax (at half the saturating rate)', measured: late, met: late === 0 });
  out.push({ goal: '(for information) late answers in the saturation runs', measured: lateSaturated, met: null });
  out.push({ goal: 'no 5xx', measured: fivexx, met: fivexx === 0 });
  return out;
}

const fmt = (n) => (n === null || n === undefined ? '–' : String(n));

export function tableLines(rows) {
  const lines = [
    '| scenario | mode | load | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | 5xx | no-bid | late | profile do/kv/none/unknown | req/s ÷ base | p50 Δ base | p99 Δ base |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const load = r.concurrency !== null ? `c=${r.concurrency}` : `${r.ratePerSec}/s`;
    const src = r.profileSources ? `${r.profileSources.do}/${r.profileSources.kv}/${r.profileSources.none}/${r.profileSources.unknown}` : '–';
    lines.push(
      `| ${r.name} | ${r.mode} | ${load} | ${fmt(r.rps)} | ${fmt(r.p50Ms)} | ${fmt(r.p90Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.maxMs)} | ${r.errors} | ${r.fivexx} | ${fmt(r.noBids)} | ${r.late} | ${src} | ${fmt(r.ratioToBaseline)} | ${fmt(r.p50DeltaMs)} | ${fmt(r.p99DeltaMs)} |`,
    );
  }
  return lines;
}

export function timingLines(aggregates) {
  const lines = ['| sampled from | stage | n | mean ms | p90 ms | max ms |', '| --- | --- | --- | --- | --- | --- |'];
  for (const [label, agg] of aggregates) {
    for (const [stage, a] of Object.entries(agg)) lines.push(`| ${label} | ${stage} | ${a.n} | ${a.meanMs} | ${a.p90Ms} | ${a.maxMs} |`);
  }
  return lines;
}

/** The row as `--json` prints it: the fields first, without the raw samples. */
export function publicRow(r) {
  const row = Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('_')));
  // The first few failures (status and body, or the connection error), as the table's footnotes.
  const failures = r._samples?.failures ?? [];
  return failures.length > 0 ? { ...row, failures } : row;
}
