/**
 * Shared zod building blocks for the OpenRTB 2.x request schema.
 *
 * Every schema here is built once at module load and reused: zod cannot JIT in workerd, so the
 * parse cost is one small function call per declared key, and nothing here transforms values.
 * Messages are set by `parseBidRequest` from issue codes; schemas here never put values in them.
 */
import { z } from 'zod';

/** OpenRTB "integer": a JSON number with no fractional part. */
export const int = z.int();
/** Sizes, durations, bitrates, counts, tmax, accuracy...: an integer >= 0. */
export const nonNegInt = z.int().min(0);
/** OpenRTB "float". JSON cannot carry NaN or Infinity, so any JSON number qualifies. */
export const num = z.number();
/** Floors and multipliers: a float >= 0. */
export const nonNegNum = z.number().min(0);
/** A flag the spec restricts to 0 = no, 1 = yes (used only where the value decides what we do). */
export const flag = z.literal([0, 1]);
export const str = z.string();
/** Required identifiers (`id`, `imp.id`, `deal.id`): a non-empty string. */
export const id = z.string().min(1);
export const strArr = z.array(z.string());
export const intArr = z.array(z.int());
export const nonNegIntArr = z.array(nonNegInt);

export const optInt = int.optional();
export const optNonNegInt = nonNegInt.optional();
export const optNum = num.optional();
export const optNonNegNum = nonNegNum.optional();
export const optFlag = flag.optional();
export const optStr = str.optional();
export const optStrArr = strArr.optional();
export const optIntArr = intArr.optional();

/** The JSON type name of a value, for messages ("got string"): never the value itself. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** True for a JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `ext`: any JSON object, passed through untouched (same reference, no copy, no key walk).
 * Exchanges put arbitrary content here; only its object-ness is an OpenRTB rule.
 */
export const ext = z.custom<Record<string, unknown>>(isJsonObject, {
  error: (issue) => `expected object, got ${jsonType(issue.input)}`,
});
export const optExt = ext.optional();
