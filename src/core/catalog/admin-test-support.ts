/** Test support for the admin core: the demo catalog as an admin base state, and small helpers. */
import { planWrite, type Planned, type WriteOp } from './admin-ops';
import { EMPTY_ARCHIVE, parseDocJson, type AdminState } from './admin-state';
import { typeCatalog, type BaseCatalog } from './admin-validate';
import { DEMO_CATALOG } from './demo-catalog';

export type Base = BaseCatalog & { readonly state: AdminState };

export function baseOf(state: AdminState): Base {
  const typed = typeCatalog(state.doc);
  if (!typed.ok) throw new Error(`base does not validate: ${JSON.stringify(typed.issues)}`);
  return { state, doc: state.doc, typed: typed.typed };
}

export function demoBase(): Base {
  const doc = parseDocJson(JSON.parse(JSON.stringify(DEMO_CATALOG)) as unknown);
  if (!doc) throw new Error('demo catalog is not a document');
  return baseOf({ doc, archive: EMPTY_ARCHIVE });
}

export const T0 = 1_800_000_000_000;

/** Applies the ops in order, each on the last accepted state; throws on the first refusal. */
export function applyAll(base: Base, ops: readonly WriteOp[]): Base {
  let current = base;
  for (const op of ops) current = baseOf(accepted(planWrite(current, op, T0)).state);
  return current;
}

export function accepted(p: Planned): Extract<Planned, { ok: true }> {
  if (!p.ok) throw new Error(`refused: ${JSON.stringify(p.failure)}`);
  return p;
}

export function refused(p: Planned): Extract<Planned, { ok: false }>['failure'] {
  if (p.ok) throw new Error('accepted, expected a refusal');
  return p.failure;
}
