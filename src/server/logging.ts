import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import pretty, { type MessageFormatFunc } from 'pino-pretty';
import { KEY_QUERY_PARAMETERS } from './auth.js';

/** Where log lines go instead of stdout (tests capture them). */
export interface LogDestination {
  write(line: string): void;
}

/** A client's own id is kept only as a short plain token, so it cannot forge log lines or headers. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Headers that carry, or could carry, a credential; the API key travels in `authorization`. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'xi-api-key', 'sec-websocket-protocol', 'cookie'];

/** A URL as logged: a key carried in the query (WebSocket clients) is replaced by `[redacted]`. */
export function withoutKeys(url: string): string {
  return url.replace(new RegExp(`([?&](?:${KEY_QUERY_PARAMETERS.join('|')})=)[^&#]*`, 'gi'), '$1[redacted]');
}

/** Fastify's `genReqId`: the caller's `X-Request-Id` when sane, so logs join up across services; else a fresh UUID. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** `auto`: readable lines on a terminal, JSON lines otherwise (a pipe, a file, a log collector). */
export type LogFormat = 'auto' | 'pretty' | 'json';

export const writesPrettyLogs = (format: LogFormat, isTTY = process.stdout.isTTY === true): boolean => format === 'pretty' || (format === 'auto' && isTTY);

/** The request fields Fastify logs, folded into the message: `GET /v1/models`, `200 in 3.1 ms`, and a short request id. */
const requestMessage: MessageFormatFunc = (log, messageKey, _level, { colors }) => {
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  const parts = [String(log[messageKey] ?? '')];
  if (req?.method) parts.push(colors.bold(`${req.method} ${req.url ?? ''}`));
  if (res?.statusCode !== undefined) {
    const status = res.statusCode >= 500 ? colors.red : res.statusCode >= 400 ? colors.yellow : colors.green;
    parts.push(`${status(String(res.statusCode))}${typeof log.responseTime === 'number' ? ` in ${log.responseTime.toFixed(1)} ms` : ''}`);
  }
  if (typeof log.reqId === 'string') parts.push(colors.gray(`[${log.reqId.slice(0, 8)}]`));
  return parts.join(' ');
};

/** One line per entry, coloured when the terminal supports it; written synchronously so the last lines before an exit are not lost. */
const prettyStream = () =>
  pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,reqId,req,res,responseTime', singleLine: true, messageFormat: requestMessage });

/**
 * Logs whose request entries hold the method, URL and peer only: never a body or a header.
 * Secret headers are also redacted wherever a log call might put request headers, in case a
 * later serializer or log line includes them. JSON lines, or readable ones (`format`).
 */
export function loggerOptions(level: string, destination?: LogDestination, format: LogFormat = 'json'): NonNullable<FastifyServerOptions['logger']> {
  const paths = SECRET_HEADERS.flatMap((name) => [`req.headers["${name}"]`, `headers["${name}"]`]);
  const stream = destination ?? (writesPrettyLogs(format) ? prettyStream() : undefined);
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths, censor: '[redacted]' },
    serializers: {
      req: (request: FastifyRequest) => ({ method: request.method, url: withoutKeys(request.url), remoteAddress: request.ip }),
    },
  };
}

/** Echoes the request id on every reply (errors included), so a client can quote it when reporting a problem. */
export function installRequestIdHeader(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
}
