/** Turns zod issues into our log-safe field issues (zod messages name types, never values). */
import type { z } from 'zod';
import { formatPath, type FieldIssue } from './errors';

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}
