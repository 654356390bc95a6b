// `.dev.vars` for `npm start`: created from `.dev.vars.example` on first run; a copy made before
// a setting existed gets that setting appended (never overwritten), so pulling a change that adds
// a secret does not leave the local edge answering 503. Also reads the demo publisher's key, which
// seeding the demo users needs.
import { appendFileSync, copyFileSync, existsSync, readFileSync } from 'node:fs';

const EXAMPLE = '.dev.vars.example';
const LOCAL = '.dev.vars';

/** name → raw line, for `NAME=value` lines (comments and blanks skipped). */
function settings(text) {
  const out = new Map();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=/.exec(line);
    if (m) out.set(m[1], line);
  }
  return out;
}

export function ensureDevVars(log) {
  if (!existsSync(LOCAL)) {
    copyFileSync(EXAMPLE, LOCAL);
    log(`created ${LOCAL} from ${EXAMPLE} (local secrets, demo credentials and the demo catalog switch)`);
    return;
  }
  const have = settings(readFileSync(LOCAL, 'utf8'));
  const missing = [...settings(readFileSync(EXAMPLE, 'utf8'))].filter(([name]) => !have.has(name));
  if (missing.length === 0) return;
  appendFileSync(LOCAL, `\n# Added from ${EXAMPLE} by npm start\n${missing.map(([, line]) => line).join('\n')}\n`);
  log(`added ${missing.map(([name]) => name).join(', ')} to ${LOCAL} from ${EXAMPLE}`);
}

/** The first token of the first publisher in `.dev.vars`' AUTH_PRINCIPALS, or undefined. */
export function devPublisherKey() {
  const line = settings(readFileSync(LOCAL, 'utf8')).get('AUTH_PRINCIPALS');
  if (!line) return undefined;
  let value = line.slice(line.indexOf('=') + 1).trim();
  if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
  try {
    return JSON.parse(value)?.publishers?.[0]?.tokens?.[0];
  } catch {
    return undefined;
  }
}
