import type { z } from 'zod';
import { InvalidRequestError } from '../errors.js';

/**
 * Validates request fields against a schema; the first problem becomes a 400 whose `param` is
 * the top-level field, and whose message names it when the value has the wrong type.
 */
export function parseFields<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = issue.path.length > 0 ? String(issue.path[0]) : null;
  if (issue.code === 'invalid_type') throw new InvalidRequestError(`${param ?? 'body'}: ${issue.message}`, param, 'invalid_type');
  throw new InvalidRequestError(issue.message, param, 'invalid_value');
}
