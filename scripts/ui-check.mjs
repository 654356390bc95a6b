// `npm run ui:check`: the campaign manager's page (/ui) in a real headless browser.
//
// Starts the worker in-process (scripts/lib/local-worker.mjs: local mode, throwaway state, demo
// catalog, fixed test secrets, offline), adds through the admin API a campaign whose name is an
// HTML/script injection attempt and a daily budget on a demo campaign, then drives Debian's
// Chromium with playwright-core (CHROMIUM_PATH, default /usr/bin/chromium; a fresh profile
// directory) through the page:
//
//   1. /ui loads with its Content-Security-Policy; a wrong token is refused with a message
//   2. the admin token lists every campaign the admin API lists (the demo campaigns), by name;
//      the injected name shows as text, nothing in it runs or becomes an element
//   3. the decision tester, OpenRTB example: a bid, and an explain trace naming the same line item
//   4. the decision tester, decision-request example: a decision and a trace slot per placement
//   5. the bids of steps 3-4 reach the campaign ledgers and the reloaded table shows them, with
//      the budgeted campaign's pacing
//
// Any page error, console error (CSP violations are console errors) or failed step fails the
// check. Screenshots of each step go to a fresh temp directory, printed at the end (also on
// failure). Exit 0 when every step passes, 1 otherwise; the whole run is bounded (3 min).
import { constants, rmSync } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { LOCAL_AUTH_VARS, LOCAL_TOKENS } from './lib/local-auth.mjs';
import { startLocalWorker } from './lib/local-worker.mjs';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const RUN_TIMEOUT_MS = 3 * 60_000;
const STEP_TIMEOUT_MS = 20_000;
/** Bids reach the ledger through the ledger-events queue; the table is reloaded until they show. */
const LEDGER_WAIT_MS = 30_000;
const VARS = {
  USER_KEY_SECRET: 'ui-check-user-key-secret',
  TRACKING_SECRET: 'ui-check-tracking-secret',
  DEMO_CATALOG: 'on',
  // Explain off for the environment: the page must get its trace through the admin token.
  EXPLAIN: 'off',
  // The budget added below reaches the isolate's catalog within a second.
  CATALOG_REFRESH_SEC: '1',
  // Send each request's bid counts to the ledgers at once, not with the isolate's next request.
  LEDGER_FLUSH_MS: '0',
  ...LOCAL_AUTH_VARS,
};
const INJECTION_ID = 'cmp-ui-check-escaping';
const INJECTION_NAME = '<img src=x onerror="window.__uiInjected=1"><script>window.__uiInjected=2</script> & "quotes"';
const BUDGET_CAMPAIGN = 'cmp-acme-prospecting';
const BUDGET_DAILY_MICROS = 25_000_000;

const problems = [];
let shotDir = '';
let shots = 0;

async function main() {
  await access(CHROMIUM_PATH, constants.X_OK).catch(() => {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  });
  shotDir = await mkdtemp(join(tmpdir(), 'edgebid-ui-shots-'));
  const profileDir = await mkdtemp(join(tmpdir(), 'edgebid-ui-profile-'));
  // Also when the run timer exits the process before the finally below.
  process.on('exit', () => rmSync(profileDir, { recursive: true, force: true }));
  const worker = startLocalWorker({ vars: VARS, tag: 'ui-check' });
  let browser;
  try {
    const { url: base } = await worker.ready;
    console.log(`ui-check: worker up at ${base.origin}`);
    const campaigns = await seedCatalog(base);
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: STEP_TIMEOUT_MS,
      viewport: { width: 1400, height: 900 },
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    await step('page loads with its CSP; a wrong token is refused', () => loadAndRefuse(page, base));
    await step('the admin token lists the demo campaigns, names as text', () => listCampaigns(page, campaigns));
    await step('decision tester: OpenRTB bid and its trace', () => testOpenRtb(page));
    await step('decision tester: decision request and its trace', () => testDecision(page));
    await step('the tester bids reach the reports; pacing shows the budget', () => reportsReflectBids(page));
  } finally {
    await browser?.close().catch(() => undefined);
    await worker.stop();
    await rm(profileDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function step(name, fn) {
  const before = problems.length;
  const t0 = Date.now();
  try {
    await fn();
  } catch (err) {
    problems.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const ok = problems.length === before;
  console.log(`ui-check: ${ok ? 'ok  ' : 'FAIL'} ${name} (${Date.now() - t0} ms)`);
  if (!ok) for (const p of problems.slice(before)) console.log(`          ${p}`);
}

function check(ok, message) {
  if (!ok) throw new Error(message);
}

async function shot(page, name) {
  shots++;
  await page.screenshot({ path: join(shotDir, `${String(shots).padStart(2, '0')}-${name}.png`), fullPage: true });
}

async function admin(base, method, path, body, headers = {}) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${LOCAL_TOKENS.admin}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return { json: JSON.parse(text), etag: res.headers.get('etag') };
}

/** An operator-named campaign to prove escaping, a budget to show pacing; returns the admin API's list. */
async function seedCatalog(base) {
  await admin(base, 'POST', '/v1/admin/campaigns', {
    id: INJECTION_ID,
    advertiserId: 'adv-acme',
    name: INJECTION_NAME,
    conversion: { eventTypes: ['purchase'], suppressWithinSec: 0 },
    holdoutPct: 0,
  });
  const { etag } = await admin(base, 'GET', `/v1/admin/campaigns/${BUDGET_CAMPAIGN}`);
  await admin(base, 'PATCH', `/v1/admin/campaigns/${BUDGET_CAMPAIGN}`, { budget: { dailyMicros: BUDGET_DAILY_MICROS, pacing: 'even' } }, { 'if-match': etag });
  const { json } = await admin(base, 'GET', '/v1/admin/campaigns');
  const items = json.items.map((i) => ({ id: i.data.id, name: i.data.name }));
  check(items.filter((c) => c.id !== INJECTION_ID).length >= 3, `the admin API lists only ${items.length} campaigns: is the demo catalog on?`);
  return items;
}

async function loadAndRefuse(page, base) {
  const res = await page.goto(new URL('/ui', base).href, { waitUntil: 'load' });
  check(res?.status() === 200, `GET /ui answered ${res?.status()}`);
  const csp = res.headers()['content-security-policy'] ?? '';
  check(csp.includes("script-src 'self'") && csp.includes("require-trusted-types-for 'script'"), `unexpected CSP: ${csp}`);
  await page.fill('#token', 'not-the-admin-token');
  await page.click('#login button[type=submit]');
  await page.locator('#notice.error').waitFor();
  check(/refused/.test(await page.textContent('#notice')), 'no refusal message for a wrong token');
  check(await page.locator('#app').isHidden(), 'the app is shown after a refused token');
  // Chromium logs the refused API call (401) as a console error: expected here, nowhere else.
  for (let i = problems.length - 1; i >= 0; i--) if (/status of 401/.test(problems[i])) problems.splice(i, 1);
  await shot(page, 'refused');
}

async function listCampaigns(page, campaigns) {
  await page.fill('#token', LOCAL_TOKENS.admin);
  await page.click('#login button[type=submit]');
  await page.locator('#app').waitFor({ state: 'visible' });
  const rows = page.locator('#campaigns tbody tr');
  await rows.first().waitFor();
  check((await rows.count()) === campaigns.length, `${await rows.count()} rows for ${campaigns.length} campaigns`);
  for (const c of campaigns) {
    const name = await page.locator(`#campaigns tbody tr[data-campaign-id=${JSON.stringify(c.id)}] .name`).textContent();
    check(name === c.name, `campaign ${c.id} shows ${JSON.stringify(name)}, expected ${JSON.stringify(c.name)}`);
  }
  const injected = page.locator(`#campaigns tbody tr[data-campaign-id=${JSON.stringify(INJECTION_ID)}]`);
  check((await injected.locator('img, script').count()) === 0, 'the injected campaign name became elements');
  check((await page.evaluate('window.__uiInjected')) === undefined, 'the injected campaign name ran');
  check(!page.url().includes(LOCAL_TOKENS.admin), 'the token is in the page URL');
  await shot(page, 'campaigns');
}

async function runExample(page, kind) {
  await page.selectOption('#tester-kind', kind);
  await page.click('#tester-example');
  await page.click('#tester-run');
  // The page clears the previous answer when a run starts; this waits for the new one.
  await page.locator('#tester-status', { hasText: /^HTTP \d{3}/ }).waitFor();
}

async function testOpenRtb(page) {
  await runExample(page, 'openrtb');
  check(/^HTTP 200/.test(await page.textContent('#tester-status')), `status: ${await page.textContent('#tester-status')}`);
  const bid = page.locator('#tester-decision .decision[data-outcome=bid]');
  check((await bid.count()) === 1, 'the OpenRTB example did not show one bid');
  const lineItem = await bid.locator('dt:text-is("line item") + dd').textContent();
  check(typeof lineItem === 'string' && lineItem.startsWith('li-'), `the bid names no line item (${lineItem})`);
  const traceTitle = await page.locator('#tester-trace .trace-slot[data-outcome=bid] h4').textContent();
  check(traceTitle?.includes(`bid by ${lineItem}`), `the trace does not agree with the bid: ${traceTitle}`);
  check((await page.locator('#tester-trace table.trace tbody tr').count()) >= 2, 'the trace lists fewer than two line items');
  await shot(page, 'tester-openrtb');
}

async function testDecision(page) {
  await runExample(page, 'decision');
  check((await page.inputValue('#tester-body')).includes('"placements"'), 'the decision example was not loaded');
  check(/^HTTP 200/.test(await page.textContent('#tester-status')), `status: ${await page.textContent('#tester-status')}`);
  const decisions = await page.locator('#tester-decision .decision').count();
  check(decisions === 2, `${decisions} decisions for the example's 2 placements`);
  check((await page.locator('#tester-decision .decision[data-outcome=bid]').count()) >= 1, 'no placement was filled');
  check((await page.locator('#tester-trace .trace-slot').count()) === 2, 'the trace does not have one slot per placement');
  await shot(page, 'tester-decision');
}

async function reportsReflectBids(page) {
  const row = page.locator(`#campaigns tbody tr[data-campaign-id=${JSON.stringify(BUDGET_CAMPAIGN)}]`);
  const deadline = Date.now() + LEDGER_WAIT_MS;
  let pacing;
  for (;;) {
    await page.click('#reload');
    await page.locator('#reload:enabled').waitFor();
    pacing = (await row.locator('.pacing').textContent()) ?? '';
    if (pacing.includes('of 25.00')) break;
    const bids = await row.locator('.bids').textContent();
    check(Date.now() < deadline, `no pacing for ${BUDGET_CAMPAIGN} after ${LEDGER_WAIT_MS / 1000} s: ${pacing}; bids ${bids}`);
    await page.waitForTimeout(1_000);
  }
  check(/today [\d.]+ USD of 25\.00 USD/.test(pacing), `pacing cell: ${pacing}`);
  const bids = Number((await row.locator('.bids').textContent())?.replace(/,/g, ''));
  check(bids >= 1, `the table shows ${bids} bids for ${BUDGET_CAMPAIGN} after the tester's bids`);
  await page.locator('#tester-result').scrollIntoViewIfNeeded();
  await shot(page, 'campaigns-after-bids');
}

const timer = setTimeout(() => {
  console.error(`ui-check: gave up after ${RUN_TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, RUN_TIMEOUT_MS);
timer.unref();

try {
  await main();
} catch (err) {
  problems.push(err instanceof Error ? err.message : String(err));
}
if (shotDir) console.log(`ui-check: ${shots} screenshots in ${shotDir}`);
if (problems.length > 0) {
  console.error(`ui-check: FAILED (${problems.length} problem${problems.length === 1 ? '' : 's'})`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log('ui-check: all steps passed');
process.exit(0);
