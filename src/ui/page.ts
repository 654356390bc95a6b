/**
 * The campaign manager's page: a static shell with no data and no secret in it. Everything shown
 * is fetched by /ui/app.js with the admin token the operator types in, so the shell can be public
 * and cached like any file. No inline script, style or event handler: the Content-Security-Policy
 * (src/http/ui.ts) forbids them.
 */

export const UI_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>edgebid · campaigns</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/app.css">
<script src="/ui/app.js" defer></script>
</head>
<body>
<header>
  <h1>edgebid <span class="muted">campaign manager</span></h1>
  <form id="login" autocomplete="off">
    <label for="token">Admin token</label>
    <input id="token" type="password" spellcheck="false" required>
    <button type="submit">Connect</button>
    <button type="button" id="logout" hidden>Forget token</button>
  </form>
</header>
<p id="notice" role="status" class="notice">Enter the admin token to load campaigns. It stays in this tab's memory only.</p>
<main id="app" hidden>
  <section aria-labelledby="campaigns-title">
    <div class="section-head">
      <h2 id="campaigns-title">Campaigns</h2>
      <label>Range
        <select id="range">
          <option value="1">last 24 hours</option>
          <option value="7" selected>last 7 days</option>
          <option value="30">last 30 days</option>
        </select>
      </label>
      <button type="button" id="reload">Reload</button>
    </div>
    <p id="campaigns-status" class="muted" role="status"></p>
    <table id="campaigns">
      <thead>
        <tr>
          <th scope="col">Campaign</th><th scope="col">Advertiser</th><th scope="col">Status</th>
          <th scope="col" class="num">Spend</th><th scope="col" class="num">Bids</th><th scope="col" class="num">Impr.</th><th scope="col" class="num">Clicks</th>
          <th scope="col" class="num">CTR</th><th scope="col" class="num">Conv.</th><th scope="col">Pacing</th><th scope="col">Holdout lift</th>
        </tr>
      </thead>
      <tbody></tbody>
    </table>
  </section>
  <section aria-labelledby="tester-title">
    <h2 id="tester-title">Decision tester</h2>
    <p class="muted">Runs the real endpoint with your admin token and the explain trace on. Tracking links in the answer are real: opening them counts.</p>
    <form id="tester" autocomplete="off">
      <div class="row">
        <label for="tester-kind">Request</label>
        <select id="tester-kind">
          <option value="openrtb">OpenRTB 2.6 bid request → POST /openrtb2/bid</option>
          <option value="decision">Decision request → POST /v1/decisions</option>
        </select>
        <button type="button" id="tester-example">Load example</button>
        <button type="submit" id="tester-run">Run</button>
      </div>
      <textarea id="tester-body" rows="14" spellcheck="false" aria-label="Request JSON"></textarea>
    </form>
    <div id="tester-result" hidden>
      <p id="tester-status"></p>
      <h3>Decision</h3>
      <div id="tester-decision"></div>
      <h3>Explain trace</h3>
      <div id="tester-trace"></div>
      <details>
        <summary>Raw response</summary>
        <pre id="tester-raw"></pre>
      </details>
    </div>
  </section>
</main>
</body>
</html>
`;
