/**
 * Browser code, part 2 of /ui/app.js: the token form and the campaigns table. Campaigns come from
 * the admin API (`GET /v1/admin/campaigns`, advertiser names from `/v1/admin/advertisers`); spend,
 * delivery, pacing and lift from one report per campaign (`GET /v1/reports/campaigns/:id`). A
 * campaign without line items has no report (the reports route knows campaigns through their line
 * items), which the table says rather than treating as an error. See script-dom.ts for why this is
 * a string.
 */

export const CAMPAIGNS_JS = String.raw`
const DAY_MS = 86400000;
const REPORT_CONCURRENCY = 4;
/** Stands in for the report of a campaign without line items (the reports route would answer 404). */
const NO_LINE_ITEMS = { status: 404, headers: new Headers(), json: null, text: '' };
let loadSeq = 0;

function forget(message, isError) {
  session.token = '';
  loadSeq++;
  $('app').hidden = true;
  $('logout').hidden = true;
  $('tester-result').hidden = true;
  $('campaigns').tBodies[0].replaceChildren();
  notice(message, isError);
}

/** Loads and renders the campaigns; false when the token was refused or the list failed. */
async function loadCampaigns() {
  const seq = ++loadSeq;
  const range = $('range');
  const days = Number(range.value) || 7;
  const status = $('campaigns-status');
  status.textContent = 'Loading campaigns…';
  $('reload').disabled = true;
  try {
    const all = await Promise.all([api('/v1/admin/campaigns'), api('/v1/admin/advertisers'), api('/v1/admin/line-items')]);
    const camps = all[0];
    const advs = all[1];
    const lineItems = all[2];
    if (seq !== loadSeq) return false;
    if (camps.status === 401 || camps.status === 403) {
      forget('The token was refused (' + errorText(camps) + '). Enter the admin token.', true);
      return false;
    }
    if (camps.status !== 200 || !isObj(camps.json) || !Array.isArray(camps.json.items)) {
      status.textContent = '';
      notice('Could not list campaigns: ' + errorText(camps), true);
      return false;
    }
    const names = new Map();
    if (advs.status === 200 && isObj(advs.json)) for (const a of arr(advs.json.items)) if (isObj(a) && isObj(a.data)) names.set(a.data.id, a.data.name);
    const items = camps.json.items.filter((c) => isObj(c) && isObj(c.data) && typeof c.data.id === 'string');
    // Reports know a campaign through its line items: don't ask for one that has none.
    const served = lineItems.status === 200 && isObj(lineItems.json) ? new Set(arr(lineItems.json.items).map((li) => (isObj(li) && isObj(li.data) ? li.data.campaignId : null))) : null;
    const from = String(Date.now() - days * DAY_MS);
    const reports = await mapLimit(items, REPORT_CONCURRENCY, (c) =>
      served && !served.has(c.data.id)
        ? Promise.resolve(NO_LINE_ITEMS)
        : api('/v1/reports/campaigns/' + encodeURIComponent(c.data.id) + '?from=' + from).catch(() => null),
    );
    if (seq !== loadSeq) return false;
    $('campaigns').tBodies[0].replaceChildren(...items.map((c, i) => campaignRow(c, names, reports[i])));
    const label = range.selectedOptions[0] ? range.selectedOptions[0].textContent : '';
    status.textContent = items.length + (items.length === 1 ? ' campaign' : ' campaigns') + ' · catalog version ' + str(camps.json.catalogVersion) + ' · delivery over the ' + label;
    return true;
  } catch (err) {
    if (seq === loadSeq) notice('Could not reach the API: ' + (err instanceof Error ? err.message : String(err)), true);
    return false;
  } finally {
    if (seq === loadSeq) $('reload').disabled = false;
  }
}

function campaignRow(c, names, rep) {
  const d = c.data;
  const report = rep && rep.status === 200 && isObj(rep.json) && isObj(rep.json.totals) ? rep.json : null;
  const t = report ? report.totals : {};
  const cur = report ? report.currency : '';
  const advertiser = names.get(d.advertiserId);
  return el('tr', { data: { campaignId: d.id } }, [
    el('td', { className: 'campaign' }, [el('strong', { className: 'name', text: str(d.name) }), el('span', { className: 'id', text: d.id })]),
    el('td', null, [typeof advertiser === 'string' ? advertiser : str(d.advertiserId)]),
    el('td', null, [statusBadge(c)]),
    el('td', { className: 'num spend', text: money(t.spendMicros, cur) }),
    el('td', { className: 'num bids', text: count(t.bids) }),
    el('td', { className: 'num', text: count(t.impressions) }),
    el('td', { className: 'num', text: count(t.clicks) }),
    el('td', { className: 'num', text: pct(t.ctr) }),
    el('td', { className: 'num', text: count(t.conversions) }),
    el('td', { className: 'pacing' }, report ? pacingCell(report.pacing, cur) : [noReport(rep)]),
    el('td', { className: 'lift' }, liftCell(d, report)),
  ]);
}

function noReport(rep) {
  if (!rep) return el('span', { className: 'error', text: 'report unreachable' });
  if (rep.status === 404) return muted('no line items yet');
  return el('span', { className: 'error', text: errorText(rep) });
}

function statusBadge(c) {
  if (c.archived === true) return badge('archived', 'bad');
  if (c.data.status === 'paused') return badge('paused');
  return badge('active', 'good');
}

function pacingCell(p, cur) {
  if (!isObj(p) || !isObj(p.budget)) return [muted('no budget')];
  const b = p.budget;
  const nodes = [badge(p.exhausted ? 'budget spent' : str(b.pacing), p.exhausted ? 'bad' : 'good')];
  if (isNum(b.dailyMicros)) {
    const bar = el('progress', { title: 'spent today of the daily budget' });
    bar.max = b.dailyMicros;
    bar.value = isNum(p.spentTodayMicros) ? Math.min(p.spentTodayMicros, b.dailyMicros) : 0;
    nodes.push(el('div', null, ['today ' + money(p.spentTodayMicros, cur) + ' of ' + money(b.dailyMicros, cur) + ' ', bar]));
  }
  if (isNum(b.totalMicros)) nodes.push(el('div', { text: 'total ' + money(p.spentTotalMicros, cur) + ' of ' + money(b.totalMicros, cur) }));
  nodes.push(el('div', { className: 'muted', text: 'bidding on ' + pct(p.bidProbability, 0) + ' of requests (' + str(p.reason) + ')' }));
  return nodes;
}

const groupRate = (g) => (isObj(g) ? pct(g.rate) + ' of ' + count(g.users) + ' users' : '–');

function liftCell(d, report) {
  if (!(isNum(d.holdoutPct) && d.holdoutPct > 0)) return [muted('no holdout')];
  const l = report && isObj(report.lift) ? report.lift : null;
  if (!l) return [muted(d.holdoutPct + '% held out · no report')];
  const nodes = [];
  const diff = l.difference;
  if (isObj(diff)) {
    const tone = diff.low > 0 ? 'good' : diff.high < 0 ? 'bad' : '';
    const verdict = diff.low > 0 ? 'lift' : diff.high < 0 ? 'negative' : 'not significant';
    nodes.push(el('div', { title: '95% interval (' + str(l.method) + ') of exposed minus holdout conversion rate' }, [
      points(diff.estimate) + ' [' + points(diff.low) + ', ' + points(diff.high) + '] ',
      badge(verdict, tone),
    ]));
  } else {
    nodes.push(muted('not enough data yet'));
  }
  nodes.push(el('div', { className: 'muted', text: 'exposed ' + groupRate(l.exposed) + ' · holdout ' + groupRate(l.holdout) + ' (' + d.holdoutPct + '% held out)' }));
  return nodes;
}

$('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = $('token');
  const token = input.value.trim();
  input.value = '';
  if (token === '') return;
  session.token = token;
  notice('Checking the token…');
  void loadCampaigns().then((ok) => {
    if (!ok || session.token !== token) return;
    $('app').hidden = false;
    $('logout').hidden = false;
    notice('Connected. The token is kept in this tab only; reloading the page forgets it.');
  });
});
$('logout').addEventListener('click', () => forget('Token forgotten.', false));
$('reload').addEventListener('click', () => void loadCampaigns());
$('range').addEventListener('change', () => void loadCampaigns());
`;
