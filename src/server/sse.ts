import { VocableError } from '../errors.js';

/** One Server-Sent Event whose data is `data` as JSON. */
export const sseEvent = (data: object): string => `data: ${JSON.stringify(data)}\n\n`;

/**
 * The `error` event a stream ends with when its work fails after the 200 was sent: the API
 * error's OpenAI body, or a generic one that points to the log (`what` names the work).
 */
export function sseErrorEvent(error: unknown, what: string): string {
  const body =
    error instanceof VocableError ? error.toBody() : { error: { message: `${what} failed; the server log has the details.`, type: 'server_error', param: null, code: 'internal_error' } };
  return sseEvent({ type: 'error', ...body });
}
