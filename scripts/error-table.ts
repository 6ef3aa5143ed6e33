/**
 * The README's table of error codes, generated from the one catalogue (src/errors.ts).
 * `npx tsx scripts/error-table.ts` prints it; test/openapi.test.ts fails when the README's copy differs.
 */
import { ERROR_CODES, errorType } from '../src/errors.js';

export function errorTable(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, { status, meaning }]) => `| \`${code}\` | ${status} | \`${errorType(status)}\` | ${meaning.replaceAll('|', '\\|')} |`);
  return ['| code | status | type | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(errorTable());
