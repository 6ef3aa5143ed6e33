import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';

/** Asserts an OpenAI-shaped error with this status; returns its `error` object. */
export function assertApiError(
  response: LightMyRequestResponse,
  status: number,
  expected: { param?: string | null; code?: string; message?: RegExp } = {},
): { message: string; type: string; param: string | null; code: string | null } {
  assert.equal(response.statusCode, status, `expected ${status}, got ${response.statusCode}: ${response.body}`);
  assert.match(String(response.headers['content-type']), /application\/json/);
  const body = response.json() as { error: { message: string; type: string; param: string | null; code: string | null } };
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.ok(body.error.message.length > 10, 'the message says what is wrong');
  if (expected.param !== undefined) assert.equal(body.error.param, expected.param);
  if (expected.code !== undefined) assert.equal(body.error.code, expected.code);
  if (expected.message) assert.match(body.error.message, expected.message);
  return body.error;
}
