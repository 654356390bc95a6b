/** The page's stylesheet, served as /ui/app.css (the CSP allows no inline styles). */

export const UI_CSS = `
:root { color-scheme: light; --fg: #1d2430; --muted: #5d6776; --line: #d8dde5; --bg: #f6f7f9; --accent: #1f5fbf; --bad: #b3261e; --good: #1e7b34; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; padding: .75rem 1.25rem; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.15rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 0; }
h3 { font-size: .95rem; margin: 1rem 0 .4rem; }
main { padding: 0 1.25rem 2rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin-top: 1rem; overflow-x: auto; }
form#login { display: flex; gap: .5rem; align-items: center; }
input, select, button, textarea { font: inherit; }
input, select, textarea { border: 1px solid var(--line); border-radius: 4px; padding: .3rem .45rem; background: #fff; color: inherit; }
button { border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; padding: .3rem .8rem; cursor: pointer; }
button[type=button] { background: #fff; color: var(--accent); }
button:disabled { opacity: .6; cursor: progress; }
textarea { width: 100%; font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; margin-top: .5rem; }
.muted { color: var(--muted); font-weight: normal; }
.notice { margin: 1rem 1.25rem 0; }
.notice.error, .error { color: var(--bad); }
.section-head, .row { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; }
.section-head h2 { margin-right: auto; }
table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; color: var(--muted); font-size: .85rem; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td .id, code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--muted); }
td .id { display: block; }
.badge { display: inline-block; border-radius: 3px; padding: 0 .35rem; font-size: .8rem; background: #e8ecf2; }
.badge.good { background: #dcefe0; color: var(--good); }
.badge.bad { background: #f8dedc; color: var(--bad); }
.slot { border: 1px solid var(--line); border-radius: 4px; padding: .5rem .75rem; margin: .5rem 0; }
.slot h4 { margin: 0 0 .25rem; font-size: .9rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .75rem; margin: .25rem 0; }
dt { color: var(--muted); }
dd { margin: 0; }
pre { white-space: pre-wrap; word-break: break-all; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--bg); padding: .5rem; border-radius: 4px; max-height: 28rem; overflow: auto; }
ul.issues { margin: .25rem 0; }
`;
