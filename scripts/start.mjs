// `npm start`: the local edge. Runs `wrangler dev` on 127.0.0.1:8787 with local KV, Durable
// Object and Queue state (.wrangler/state), quiet offline, then seeds the demo users through the
// real event pipeline. The demo catalog is published by the worker itself on the first request
// when the local catalog is empty (DEMO_CATALOG=on in .dev.vars).
import { spawn } from 'node:child_process';
import { demoEvents } from './demo-users.mjs';
import { devPublisherKey, ensureDevVars } from './lib/dev-vars.mjs';

const PORT = Number(process.env.PORT ?? 8787);
const BASE = `http://127.0.0.1:${PORT}`;

ensureDevVars((msg) => console.log(`[start] ${msg}`));

const child = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(PORT), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: {
    ...process.env,
    // Offline there is no Request.cf to fetch; skip the attempt and its warning.
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_SEND_METRICS: 'false',
  },
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => child.kill(sig));
}
child.on('exit', (code) => process.exit(code ?? 0));

async function waitForHealth(deadlineMs) {
  while (Date.now() < deadlineMs) {
    try {
      const res = await fetch(`${BASE}/healthz`);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function seed() {
  if (!(await waitForHealth(Date.now() + 60_000))) {
    console.error('[start] the worker did not answer /healthz within 60 s; demo users not seeded');
    return;
  }
  const res = await fetch(`${BASE}/v1/events`, {
    method: 'POST',
    // Events are a publisher's endpoint: the demo publisher's key from .dev.vars.
    headers: { 'content-type': 'application/json', authorization: `Bearer ${devPublisherKey() ?? ''}` },
    body: JSON.stringify({ events: demoEvents(Date.now()) }),
  });
  if (res.status === 202) {
    console.log(`[start] demo users seeded (demo-cart-abandoner, demo-explorer, demo-buyer); edgebid is ready on ${BASE}`);
  } else {
    console.error(`[start] seeding demo users failed: HTTP ${res.status} ${await res.text()}`);
  }
}

seed().catch((err) => console.error('[start] seeding failed:', err instanceof Error ? err.message : err));
