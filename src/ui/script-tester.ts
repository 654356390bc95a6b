/**
 * Browser code, part 3 of /ui/app.js: the decision tester. It posts the pasted text unchanged
 * (after checking it is JSON, for a friendlier message) to the real endpoint with `?debug=1`,
 * which the admin token is always allowed to use, and shows the decision per slot, the explain
 * trace per line item and the raw answer. See script-dom.ts for why this is a string.
 */

export const TESTER_JS = String.raw`
const ENDPOINTS = { openrtb: '/openrtb2/bid?debug=1', decision: '/v1/decisions?debug=1' };
const testerKind = () => ($('tester-kind').value === 'decision' ? 'decision' : 'openrtb');
const exampleText = (kind) => JSON.stringify(EXAMPLES[kind], null, 2);
const cpm = (micros) => (isNum(micros) ? (micros / 1e6).toFixed(2) : '–');

function loadExample() {
  $('tester-body').value = exampleText(testerKind());
}

async function runTester() {
  const kind = testerKind();
  const text = $('tester-body').value;
  try {
    JSON.parse(text);
  } catch (err) {
    showResult('The request is not JSON: ' + (err instanceof Error ? err.message : String(err)), [], [], '');
    return;
  }
  const button = $('tester-run');
  button.disabled = true;
  showResult('Running…', [], [], '');
  try {
    const r = await api(ENDPOINTS[kind], { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    if (r.status === 401) {
      forget('The token was refused (' + errorText(r) + '). Enter the admin token.', true);
      return;
    }
    const decision = r.status >= 400 ? errorView(r) : kind === 'openrtb' ? openrtbDecision(r) : publisherDecision(r);
    const trace = kind === 'openrtb' ? (isObj(r.json) && isObj(r.json.ext) && isObj(r.json.ext.edgebid) ? r.json.ext.edgebid.trace : null) : isObj(r.json) ? r.json.explain : null;
    showResult(statusLine(r), decision, r.status >= 400 ? [] : traceView(trace), r.json !== null ? JSON.stringify(r.json, null, 2) : r.text);
  } catch (err) {
    showResult('Could not reach the API: ' + (err instanceof Error ? err.message : String(err)), [], [], '');
  } finally {
    button.disabled = false;
  }
}

function statusLine(r) {
  const parts = ['HTTP ' + r.status];
  const noBid = r.headers.get('x-edgebid-no-bid');
  const source = r.headers.get('x-edgebid-profile-source');
  const consent = r.headers.get('x-edgebid-consent');
  if (noBid) parts.push('no-bid reason: ' + noBid);
  if (source) parts.push('profile from: ' + source);
  if (consent) parts.push('consent: ' + consent);
  return parts.join(' · ');
}

function showResult(status, decisionNodes, traceNodes, raw) {
  $('tester-result').hidden = false;
  $('tester-status').textContent = status;
  $('tester-decision').replaceChildren(...decisionNodes);
  $('tester-trace').replaceChildren(...traceNodes);
  $('tester-raw').textContent = raw;
}

function slotBox(outcome, title, details) {
  return el('div', { className: 'slot decision', data: { outcome: outcome } }, [el('h4', { text: title }), details]);
}

function openrtbDecision(r) {
  if (r.status === 204) return [slotBox('no_bid', 'No bid (204 No Content)', muted(r.headers.get('x-edgebid-no-bid') || ''))];
  const res = isObj(r.json) ? r.json : {};
  const bids = arr(res.seatbid).flatMap((s) => (isObj(s) ? arr(s.bid) : [])).filter(isObj);
  if (bids.length === 0) return [slotBox('no_bid', 'No bid' + (isNum(res.nbr) ? ' · nbr ' + res.nbr : ''), muted('see the trace for each line item'))];
  return bids.map((b) => {
    const ext = isObj(b.ext) && isObj(b.ext.edgebid) ? b.ext.edgebid : {};
    return slotBox('bid', 'imp ' + str(b.impid) + ': bid ' + str(b.price) + ' ' + str(res.cur) + ' CPM', facts([
      ['line item', ext.lineItemId],
      ['campaign', b.cid],
      ['creative', str(b.crid) + (isNum(b.w) && isNum(b.h) ? ' (' + b.w + '×' + b.h + ')' : '')],
      ['advertiser domain', arr(b.adomain).join(', ')],
      ['deal', b.dealid],
    ]));
  });
}

function publisherDecision(r) {
  const res = isObj(r.json) ? r.json : {};
  return arr(res.decisions).filter(isObj).map((d) => {
    if (d.status !== 'filled') return slotBox('no_bid', str(d.placementId) + ': empty', facts([['reason', str(d.reason) + ' (' + str(d.code) + ')']]));
    const cr = isObj(d.creative) ? d.creative : {};
    return slotBox('bid', str(d.placementId) + ': ' + str(d.priceCpm) + ' ' + str(res.currency) + ' CPM', facts([
      ['line item', d.lineItemId],
      ['campaign', d.campaignId],
      ['advertiser', d.advertiserId],
      ['creative', str(cr.id) + ' (' + str(cr.width) + '×' + str(cr.height) + ')'],
    ]));
  });
}

function traceView(trace) {
  if (!isObj(trace)) return [muted('The answer has no explain trace.')];
  const consent = isObj(trace.consent) ? trace.consent : {};
  const nodes = [facts([
    ['consent', str(consent.mode) + ' (' + str(consent.reason) + ')' + (arr(consent.checks).length > 0 ? ': ' + arr(consent.checks).join(', ') : '')],
    ['profile from', trace.profileSource],
    ['catalog version', trace.catalogVersion],
  ])];
  for (const s of arr(trace.slots).filter(isObj)) {
    const held = isObj(s.heldOut) ? ' · held out from ' + str(s.heldOut.lineItemId) : '';
    const title = s.outcome === 'bid'
      ? str(s.impid) + ': bid by ' + str(s.lineItemId) + ' at ' + cpm(s.priceMicros) + held
      : str(s.impid) + ': no bid, ' + str(s.reason) + held;
    const rows = arr(s.lineItems).filter(isObj).map((li) => el('tr', { className: li.outcome === 'candidate' ? 'candidate' : '' }, [
      el('td', null, [el('code', { text: str(li.lineItemId) })]),
      el('td', { text: str(li.outcome) }),
      el('td', { className: 'num', text: cpm(li.priceMicros) }),
      el('td', { className: 'num', text: isNum(li.code) ? li.code + (isNum(li.nbr) ? ' / ' + li.nbr : '') : '' }),
      el('td', { text: li.dealId === undefined ? '' : str(li.dealId) }),
    ]));
    const head = el('tr', null, ['Line item', 'Outcome', 'CPM', 'Code / nbr', 'Deal'].map((h) => el('th', { text: h })));
    nodes.push(el('div', { className: 'slot trace-slot', data: { outcome: str(s.outcome) } }, [
      el('h4', { text: title }),
      rows.length > 0 ? el('table', { className: 'trace' }, [el('thead', null, [head]), el('tbody', null, rows)]) : muted('no line item was considered'),
    ]));
  }
  return nodes;
}

$('tester-example').addEventListener('click', loadExample);
$('tester-kind').addEventListener('change', () => {
  const current = $('tester-body').value.trim();
  if (current === '' || Object.keys(EXAMPLES).some((k) => exampleText(k) === current)) loadExample();
});
$('tester').addEventListener('submit', (ev) => {
  ev.preventDefault();
  void runTester();
});
loadExample();
`;
