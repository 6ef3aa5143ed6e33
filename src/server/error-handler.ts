import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { closeAnsweredUpgrade } from './websocket-upgrades.js';
import { VocableError, InvalidRequestError, PayloadTooLargeError, RouteNotFoundError, ServiceBusyError } from '../errors.js';

/** Fastify's own client errors (bad JSON, wrong content type, body too large) in OpenAI's shape. */
function fromFastifyError(error: FastifyError, bodyLimit: number): VocableError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError(`The request body is larger than ${bodyLimit} bytes. Send a shorter ref_audio clip.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new VocableError('unsupported_media_type', 'Unsupported Content-Type: send the body as application/json (or multipart/form-data where a file is uploaded)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequestError('The request body is empty: send a JSON object', null, 'invalid_json');
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        const message = error.code === 'FST_ERR_CTP_INVALID_JSON' || error instanceof SyntaxError ? `The body is not valid JSON: ${error.message}` : error.message;
        // The catalogue has one code per status: a plugin's 413 or 415 keeps its status under the code that has it.
        const code = error.statusCode === 413 ? 'payload_too_large' : error.statusCode === 415 ? 'unsupported_media_type' : 'invalid_request';
        return new VocableError(code, message);
      }
      return undefined;
  }
}

/**
 * Errors Fastify's router raises before any route runs (a malformed percent-escape, a path
 * segment past the router's length limit), in OpenAI's shape like every other error.
 */
export function routerErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const apiError =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new VocableError('uri_too_long', 'A part of the URL path is too long: model ids and voice names are at most 64 characters.')
      : new InvalidRequestError(`The URL is malformed: ${error.message}`, null, 'invalid_url');
  // The router's errors skip the hooks, the one that closes an upgrade's connection among them.
  closeAnsweredUpgrade(request, reply);
  void reply.status(apiError.status).send(apiError.toBody());
}

/** Every error a route or hook throws leaves as OpenAI's `{"error": {...}}`, 404s included. */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = error instanceof VocableError ? error : fromFastifyError(error, bodyLimit);
    if (apiError) {
      // The request id joins this line to the client's; a 4xx is the client's mistake, so info, not warn.
      if (apiError.status >= 500) request.log.warn({ err: error, code: apiError.code, status: apiError.status }, apiError.message);
      else request.log.info({ code: apiError.code, status: apiError.status, param: apiError.param }, apiError.message);
      if (apiError instanceof ServiceBusyError) void reply.header('Retry-After', String(apiError.retryAfterSeconds)).header('retry-after-ms', String(apiError.retryAfterMs));
      return reply.status(apiError.status).send(apiError.toBody());
    }
    request.log.error({ err: error }, 'unhandled error');
    const internal = new VocableError('internal_error', 'Internal server error; the server log has the details.');
    return reply.status(500).send(internal.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new RouteNotFoundError(request.method, request.url.split('?')[0] ?? request.url);
    request.log.info({ code: error.code, status: error.status }, error.message);
    return reply.status(404).send(error.toBody());
  });
}
