import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthenticationError, PermissionError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Open without the API key (health probes, the playground page). Routes are protected unless they say so. */
    public?: boolean;
  }
}

/** Route options for a route anyone may call: spread into `app.get(url, PUBLIC_ROUTE, handler)`. */
export const PUBLIC_ROUTE = { config: { public: true } } as const;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Whether the key is needed is decided on the route that matched, never on the raw URL: the
 * router decodes percent-escapes and reads absolute-form targets, so `/%761/voices` and
 * `http://x/v1/voices` reach the same handler as `/v1/voices`. Unmatched requests need the key
 * too, so a 404 tells nothing without it.
 */
const isPublic = (request: FastifyRequest): boolean => !request.is404 && request.routeOptions.config.public === true;

/** A CORS preflight never carries the key and changes nothing; the CORS plugin answers it. */
const isPreflight = (request: FastifyRequest): boolean => request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;

const STATE_CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const isWebSocketUpgrade = (request: FastifyRequest): boolean => request.headers.upgrade?.toLowerCase() === 'websocket';

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.']);

function hostName(host: string): string {
  try {
    return new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

/** The subprotocol prefix OpenAI's browser Realtime clients carry the key in (a browser cannot set headers on a WebSocket). */
export const WEBSOCKET_KEY_PROTOCOL_PREFIX = 'openai-insecure-api-key.';
/** Query parameters a WebSocket client may carry the key in; they are redacted from logs. */
export const KEY_QUERY_PARAMETERS = ['api_key', 'xi_api_key'] as const;

/**
 * The key a request presents: `Authorization: Bearer`, or ElevenLabs' `xi-api-key` header; on a
 * WebSocket upgrade also the `openai-insecure-api-key.<key>` subprotocol or an `api_key` /
 * `xi_api_key` query parameter, the forms browsers can send. Undefined when none is present.
 */
function presentedKey(request: FastifyRequest): string | undefined {
  const bearer = request.headers.authorization ? /^Bearer\s+(.+)$/i.exec(request.headers.authorization)?.[1]?.trim() : undefined;
  if (bearer) return bearer;
  const xi = request.headers['xi-api-key'];
  if (typeof xi === 'string' && xi.length > 0) return xi;
  if (!isWebSocketUpgrade(request)) return undefined;
  const protocols = String(request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const fromProtocol = protocols.find((p) => p.startsWith(WEBSOCKET_KEY_PROTOCOL_PREFIX))?.slice(WEBSOCKET_KEY_PROTOCOL_PREFIX.length);
  if (fromProtocol) return fromProtocol;
  const query = new URLSearchParams(request.url.split('?')[1] ?? '');
  for (const name of KEY_QUERY_PARAMETERS) {
    const value = query.get(name);
    if (value) return value;
  }
  return undefined;
}

export interface AccessOptions {
  apiKey: string | undefined;
  /** Browser origins (scheme://host[:port]) that may call the API from another site; CORS headers go to these only. */
  allowedOrigins: readonly string[];
  /** The operator opened the server to the network without a key (--allow-open): any Host name is served. */
  anyHost: boolean;
}

/**
 * Why a request without the key must be refused as a browser's cross-site request, or undefined.
 * A page on another site can POST a form or open a WebSocket without a CORS preflight, so on
 * state-changing requests the `Origin` must be this server's own (or one the operator allows),
 * and `Sec-Fetch-Site` must not say another site sent it. A Host that is a name other than
 * localhost is a DNS-rebinding page posing as this origin: without a key only loopback names
 * and IP literals are trusted.
 */
function crossSiteReason(request: FastifyRequest, allowedOrigins: ReadonlySet<string>, anyHost: boolean): string | undefined {
  const host = request.headers.host ?? '';
  const name = hostName(host);
  if (!anyHost && !LOOPBACK_NAMES.has(name.toLowerCase()) && isIP(name) === 0) {
    return `Requests without an API key are accepted only at localhost or an IP address, not at host '${host}'. Start the server with an API key (--api-key or VOCABLE_API_KEY) to serve it under a name, or with --allow-open.`;
  }
  if (!STATE_CHANGING_METHODS.has(request.method) && !isWebSocketUpgrade(request)) return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (allowedOrigins.has(origin)) return undefined;
    let sameHost = false;
    try {
      sameHost = new URL(origin).host === host.toLowerCase();
    } catch {
      sameHost = false;
    }
    if (sameHost) return undefined;
    return `A web page at ${origin} may not call this server without an API key. Allow that origin with --cors-origins (VOCABLE_CORS_ORIGINS), or send the key.`;
  }
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    return 'A cross-site browser request may not call this server without an API key. Allow its origin with --cors-origins (VOCABLE_CORS_ORIGINS), or send the key.';
  }
  return undefined;
}

/**
 * With an API key configured, every route but the public ones needs `Authorization: Bearer <key>`;
 * keys are compared as SHA-256 digests in constant time, so neither their content nor length
 * leaks. Without a key, browser requests from other sites are refused instead. Both checks run
 * in `onRequest`, before any body is read.
 */
export function installAccessControl(app: FastifyInstance, options: AccessOptions): void {
  const allowedOrigins = new Set(options.allowedOrigins);
  const expected = options.apiKey ? digest(options.apiKey) : undefined;
  app.addHook('onRequest', async (request) => {
    if (isPublic(request) || isPreflight(request)) return;
    if (!expected) {
      const reason = crossSiteReason(request, allowedOrigins, options.anyHost);
      if (reason) throw new PermissionError(reason, null, 'cross_site_request');
      return;
    }
    const key = presentedKey(request);
    if (key === undefined) {
      throw new AuthenticationError('Missing API key: send it as "Authorization: Bearer <key>" (WebSockets from a browser: see the README\'s Authentication section).');
    }
    if (!timingSafeEqual(digest(key), expected)) {
      throw new AuthenticationError('Invalid API key: check the key the server was started with (--api-key or VOCABLE_API_KEY).');
    }
  });
}
