import type { z } from 'zod';
import { InvalidRequestError } from '../errors.js';

type Issue = z.core.$ZodIssue;

/** Zod's own wording ("Invalid input: expected string, received undefined"); a schema's own messages already name the field and say what to do. */
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too (small|big)|Expected|Unrecognized)/;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const KIND: Record<string, string> = { string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list', object: 'an object' };

/** One sentence in plain words that names the field once: "speed must be a number, not the text "fast"". */
function plainMessage(issue: Issue, field: string): string {
  if (!ZOD_DEFAULT_MESSAGE.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `${field} is required` : `${field} must be ${KIND[issue.expected] ?? issue.expected}, not ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${issue.input === undefined ? '' : `, not ${describeValue(issue.input)}`}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? `${field} must not be empty` : `${field} must be at least ${issue.minimum} characters long`;
      if (issue.origin === 'array') return `${field} must have at least ${issue.minimum} entries`;
      return `${field} must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `${field} must be at most ${issue.maximum} characters long`;
      if (issue.origin === 'array') return `${field} must have at most ${issue.maximum} entries`;
      return `${field} must be at most ${issue.maximum}`;
    case 'unrecognized_keys':
      return `${field} has fields it does not take: ${issue.keys.join(', ')}`;
    default:
      return `${field} is not valid`;
  }
}

/**
 * Validates request fields against a schema; the first problem becomes a 400 whose `param` is
 * the top-level field and whose message names the field once, in plain words.
 */
export function parseFields<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = issue.path.length > 0 ? String(issue.path[0]) : null;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'The request body';
  throw new InvalidRequestError(plainMessage(issue, field), param, issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value');
}
