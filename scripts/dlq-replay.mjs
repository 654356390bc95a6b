// `npm run dlq:replay`: the profile pipeline's dead letters, through the admin API of a running
// worker (default the local `npm start` on 127.0.0.1:8787; --url for another).
//   npm run dlq:replay -- --list            what is waiting, and why
//   npm run dlq:replay                      replay the oldest 100 (after fixing the cause)
//   npm run dlq:replay -- --limit 500       replay more
//   npm run dlq:replay -- --seq 12 --seq 14 replay those letters only
// The admin token comes from --token, $ADMIN_TOKEN, or .dev.vars. Replays are idempotent (event ids).
import { existsSync, readFileSync } from 'node:fs';

const args = { seq: [] };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--list') args.list = true;
  else if (a === '--seq') args.seq.push(process.argv[++i]);
  else if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
const BASE = args.url ?? 'http://127.0.0.1:8787';
const TOKEN = args.token ?? process.env.ADMIN_TOKEN ?? devVar('ADMIN_TOKEN');

function devVar(name) {
  if (!existsSync('.dev.vars')) return undefined;
  const line = readFileSync('.dev.vars', 'utf8')
    .split(/\r?\n/)
    .find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1).trim().replace(/^(['"])(.*)\1$/, '$2');
}

async function call(method, path) {
  const res = await fetch(`${BASE}${path}`, { method, headers: { authorization: `Bearer ${TOKEN ?? ''}` } }).catch((err) => {
    console.error(`no worker answering on ${BASE} (${err.message}): start it with \`npm start\` or pass --url`);
    process.exit(1);
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    console.error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
    process.exit(1);
  }
  return body;
}

if (args.list) {
  const { total, letters } = await call('GET', `/v1/admin/dlq?limit=${args.limit ?? 100}`);
  console.log(`${total} dead letter(s)`);
  for (const l of letters) {
    const when = new Date(l.receivedAtMs).toISOString();
    console.log(`#${l.seq} ${l.reason} at ${when} attempts=${l.attempts} ${l.type ?? '?'} ${l.eventId ?? ''} ${l.advertiserId ?? ''}`.trimEnd());
  }
} else {
  const query = new URLSearchParams({ limit: String(args.limit ?? 100) });
  for (const s of args.seq) query.append('seq', s);
  const r = await call('POST', `/v1/admin/dlq/replay?${query}`);
  console.log(`replayed ${r.replayed}; still invalid ${r.stillInvalid.length}${r.stillInvalid.length ? ` (#${r.stillInvalid.join(', #')})` : ''}; ${r.remaining} left`);
}
