import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError, VocableError } from '../errors.js';
import { WEBSOCKET_KEY_PROTOCOL_PREFIX } from './auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on routes declared `websocket: true`: they only speak WebSocket. */
    websocketOnly?: boolean;
  }
}

/** Node marks the requests it hands to 'upgrade' listeners (a flag @types/node does not declare). */
const isUpgrade = (raw: IncomingMessage): boolean => (raw as IncomingMessage & { upgrade?: boolean }).upgrade === true;

/**
 * An upgrade answered over HTTP (a refused WebSocket: 401, 400, 404; or any other protocol, such
 * as h2c, which is never switched to) closes its connection once the answer is written. Node
 * hands every upgrade request's socket over unread and outside its timeouts, so left open it
 * would be held until the server stops, even after the client has gone: a few hundred such
 * requests would take every connection the caps allow.
 */
export function closeAnsweredUpgrade(request: FastifyRequest, reply: FastifyReply): void {
  const socket = request.raw.socket;
  // inject() has no real socket to close.
  if (!isUpgrade(request.raw) || !(socket instanceof Socket)) return;
  reply.header('connection', 'close');
  // Destroyed once written: a client that never closes its side cannot keep it half-open.
  reply.raw.once('finish', () => socket.end(() => socket.destroy()));
}

/**
 * Every answer through the routes and hooks closes an answered upgrade (the router's own errors,
 * a malformed URL, call it themselves). A plain HTTP request to a WebSocket route, or an upgrade
 * to any other route, gets an error that says so, in the API's shape: the WebSocket plugin would
 * answer an empty 404, or accept the handshake and drop it.
 */
export function installWebSocketRequests(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => closeAnsweredUpgrade(request, reply));
  app.addHook('onRoute', (route) => {
    if (route.websocket) route.config = { ...route.config, websocketOnly: true };
  });
  app.addHook('preHandler', async (request) => {
    const websocketRoute = request.routeOptions.config.websocketOnly === true;
    if (websocketRoute && !isUpgrade(request.raw)) {
      throw new VocableError('not_found', `${request.routeOptions.url} is a WebSocket route: connect to it with a WebSocket client (a GET with "Upgrade: websocket").`);
    }
    // The plugin would accept the handshake on any route registered after it and then drop the socket.
    if (!websocketRoute && isUpgrade(request.raw)) {
      throw new InvalidRequestError(`${request.routeOptions.url ?? request.url} is not a WebSocket route: send it a plain HTTP request, without "Upgrade".`, null, 'invalid_request');
    }
  });
}

/**
 * The subprotocol the server answers with: a browser fails the connection unless the server
 * picks one it offered. `realtime` when offered; the key protocol only when it is all there is.
 */
export function chooseSubprotocol(offered: Set<string>): string | false {
  if (offered.has('realtime')) return 'realtime';
  const plain = [...offered].find((p) => !p.startsWith(WEBSOCKET_KEY_PROTOCOL_PREFIX));
  return plain ?? [...offered][0] ?? false;
}
