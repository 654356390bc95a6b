/**
 * Who may see the explain trace: it names line items and prices and reveals the user's state
 * (segments, suppression), so only operators — an environment with EXPLAIN=on (dev, staging), or
 * a caller holding the admin token anywhere.
 */
import type { Context } from 'hono';
import { isAdmin } from './auth';
import type { Config } from './config';

export function explainPermitted(c: Context<{ Bindings: Env }>, cfg: Config): boolean {
  return cfg.explainAllowed || isAdmin(c);
}
