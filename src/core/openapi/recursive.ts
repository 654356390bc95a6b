/**
 * JSON Schema for depth-limited recursive zod schemas. The targeting and segment-rule expression
 * schemas unroll their recursion level by level (`z.lazy` to a fresh copy one level deeper, `never`
 * at the bottom), so a hostile document cannot overflow the stack. Converted as they are, every
 * level is a separate schema: zod's converter expands a dozen near-identical copies and takes
 * seconds. `tieRecursion` rebuilds the top level with every lazy pointing back at itself — the
 * same checks, one real cycle — which converts in milliseconds to a `$ref` loop; the depth limit
 * stays the validator's business and the description says so. `substituter` then swaps the tied
 * schema in wherever the original is used.
 */
import { z } from 'zod';

type Schema = z.core.$ZodType;
type Pick = (s: Schema) => Schema | undefined;

/** The top level of an unrolled recursion, with its lazies (the next levels) replaced by itself. */
export function tieRecursion(unrolled: Schema): Schema {
  const box: { tied: Schema | null } = { tied: null };
  const self = z.lazy(() => {
    if (!box.tied) throw new Error('recursion tied before it was built');
    return box.tied;
  });
  box.tied = rebuild(unrolled, (s) => (s instanceof z.ZodLazy ? self : undefined), new Map());
  return box.tied;
}

/**
 * Replaces every occurrence of a key of `replacements` by its value. Calls share one memo, so a
 * schema used in several places is rebuilt once and stays one component.
 */
export function substituter(replacements: ReadonlyMap<Schema, Schema>): (schema: Schema) => Schema {
  const memo = new Map<Schema, Schema>();
  return (schema) => rebuild(schema, (s) => replacements.get(s), memo);
}

/** Rebuilds `s` with `pick`'s replacements; returns `s` itself where nothing below changed. */
function rebuild(s: Schema, pick: Pick, memo: Map<Schema, Schema>): Schema {
  const picked = pick(s);
  if (picked) return picked;
  const known = memo.get(s);
  if (known) return known;
  const r = (x: Schema): Schema => rebuild(x, pick, memo);
  let out: Schema = s;
  if (s instanceof z.ZodLazy) {
    out = s;
  } else if (s instanceof z.ZodPipe) {
    const [inner, outer] = [r(s.def.in), r(s.def.out)];
    if (inner !== s.def.in || outer !== s.def.out) out = s.clone({ ...s.def, in: inner, out: outer });
  } else if (s instanceof z.ZodObject) {
    const shape: Record<string, Schema> = {};
    let changed = false;
    for (const [k, v] of Object.entries<Schema>(s.def.shape)) {
      shape[k] = r(v);
      changed ||= shape[k] !== v;
    }
    if (changed) out = s.clone({ ...s.def, shape });
  } else if (s instanceof z.ZodArray) {
    const element = r(s.def.element);
    if (element !== s.def.element) out = s.clone({ ...s.def, element });
  } else if (s instanceof z.ZodOptional) {
    const innerType = r(s.def.innerType);
    if (innerType !== s.def.innerType) out = s.clone({ ...s.def, innerType });
  } else if (s instanceof z.ZodNullable) {
    const innerType = r(s.def.innerType);
    if (innerType !== s.def.innerType) out = s.clone({ ...s.def, innerType });
  } else if (s instanceof z.ZodDefault) {
    const innerType = r(s.def.innerType);
    if (innerType !== s.def.innerType) out = s.clone({ ...s.def, innerType });
  } else if (s instanceof z.ZodUnion) {
    const options = s.def.options.map(r);
    if (options.some((o, i) => o !== s.def.options[i])) out = s.clone({ ...s.def, options });
  } else if (s instanceof z.ZodRecord) {
    const valueType = r(s.def.valueType);
    if (valueType !== s.def.valueType) out = s.clone({ ...s.def, valueType });
  } else if (s instanceof z.ZodTuple) {
    const items = s.def.items.map(r);
    if (items.some((x, i) => x !== s.def.items[i])) out = s.clone({ ...s.def, items });
  }
  memo.set(s, out);
  return out;
}
