import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WEBSOCKET_KEY_PROTOCOL_PREFIX } from './auth.js';

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

/** Every answer through the routes and hooks; the router's own errors (a malformed URL) call it themselves. */
export function installWebSocketRequests(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => closeAnsweredUpgrade(request, reply));
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
