// `npm run loadtest -- --soak <s>`: the mix at a fixed rate for <s> seconds, cut into windows
// (30 s, or a tenth of the soak if that is shorter). Per window: req/s, p50, p99, late, errors and
// the resident memory of every workerd process this run started. Drift compares the median p99 of
// the last three windows with the first three (first and last window when there are fewer than
// six); memory growth compares each process's RSS at the end of the first window (warm) with the
// end of the last. The processes are looked up again every window: wrangler bundles in watch mode
// whatever `dev.watch` says, so an edit under src/ restarts the worker's workerd mid-run — the
// report names such restarts (a soak meant to show memory growth wants --direct).
import { openLoop } from './loadtest-drive.mjs';
import { rssMb, workerdPids } from './loadtest-worker.mjs';

const WINDOW_S = 30;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const median = (xs) => percentile(Float64Array.from(xs).sort(), 50);
const round = (n, d = 2) => (Number.isFinite(n) ? Number(n.toFixed(d)) : null);

export async function runSoak({ base, ratePerSec, totalS, next, log, onRun }) {
  const windowS = Math.max(3, Math.min(WINDOW_S, Math.floor(totalS / 10)));
  const count = Math.max(2, Math.floor(totalS / windowS));
  const firstPids = workerdPids();
  const windows = [];
  log(`soak: ${count} windows of ${windowS} s at ${ratePerSec} requests/s; workerd ${firstPids.join(', ') || '(none found)'}`);
  for (let i = 0; i < count; i++) {
    const s = await onRun(openLoop({ base, ratePerSec, durationS: windowS, next }));
    const sorted = Float64Array.from(s.latencies).sort();
    const w = {
      window: i + 1,
      rps: round(s.latencies.length / s.elapsedS, 1),
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      late: s.late,
      errors: s.errors,
      /** The first few non-2xx answers or connection errors of the window, for the notes. */
      failures: s.failures,
      rssMb: Object.fromEntries(workerdPids().map((pid) => [pid, round(rssMb(pid) ?? NaN, 1)])),
    };
    windows.push(w);
    log(`soak window ${w.window}/${count}: ${w.rps}/s p50 ${w.p50Ms} ms p99 ${w.p99Ms} ms, late ${w.late}, errors ${w.errors}, RSS ${JSON.stringify(w.rssMb)}`);
  }
  const k = windows.length >= 6 ? 3 : 1;
  const first = median(windows.slice(0, k).map((w) => w.p99Ms));
  const last = median(windows.slice(-k).map((w) => w.p99Ms));
  const lastPids = Object.keys(windows[windows.length - 1]?.rssMb ?? {}).map(Number);
  const restarted = firstPids.filter((pid) => !lastPids.includes(pid));
  const memory = firstPids.filter((pid) => lastPids.includes(pid)).map((pid) => {
    const a = windows[0]?.rssMb[pid];
    const b = windows[windows.length - 1]?.rssMb[pid];
    return { pid, firstMb: a, lastMb: b, growthPct: a && b ? round(((b - a) / a) * 100, 1) : null };
  });
  return {
    ratePerSec,
    windowSec: windowS,
    windows,
    p99DriftPct: first > 0 ? round(((last - first) / first) * 100, 1) : null,
    memory,
    /** workerd processes that were gone by the last window (restarted or crashed). */
    restarted,
    late: windows.reduce((a, w) => a + w.late, 0),
    errors: windows.reduce((a, w) => a + w.errors, 0),
  };
}

export function soakLines(r, meta) {
  const lines = [
    `edgebid soak — ${meta.date}, ${meta.mode} mode, ${meta.machine}; 1-min load average ${meta.loadAverage1m.start} → ${meta.loadAverage1m.end}`,
    `mix at ${r.ratePerSec} requests/s (half the saturating rate at c=50), ${r.windows.length} windows of ${r.windowSec} s`,
    '',
    '| window | req/s | p50 ms | p99 ms | late | errors | workerd pid: RSS MB |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const w of r.windows) lines.push(`| ${w.window} | ${w.rps} | ${w.p50Ms} | ${w.p99Ms} | ${w.late} | ${w.errors} | ${Object.entries(w.rssMb).map(([pid, mb]) => `${pid}: ${mb}`).join(', ')} |`);
  lines.push('');
  lines.push(`p99 drift (last vs first windows): ${r.p99DriftPct} % (goal: at most 10 %)`);
  for (const m of r.memory) lines.push(`workerd ${m.pid}: ${m.firstMb} MB → ${m.lastMb} MB (${m.growthPct} %)`);
  if (r.restarted.length > 0) lines.push(`workerd processes gone during the soak (restarted or crashed): ${r.restarted.join(', ')} — see the per-window RSS`);
  lines.push(`late answers: ${r.late}; errors: ${r.errors}`);
  for (const w of r.windows) for (const f of w.failures) lines.push(`  window ${w.window}: ${f}`);
  return lines;
}
