/**
 * Who may see the explain trace: it names line items and prices and reveals the user's state
 * (segments, suppression), so only operators — an environment with EXPLAIN=on (dev, staging).
 */
import type { Context } from 'hono';
import type { Config } from './config';

export function explainPermitted(_c: Context<{ Bindings: Env }>, cfg: Config): boolean {
  return cfg.explainAllowed;
}
