import { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WEBSOCKET_KEY_PROTOCOL_PREFIX } from './auth.js';

const isUpgrade = (request: FastifyRequest): boolean => request.headers.upgrade?.toLowerCase() === 'websocket';

/**
 * An upgrade refused with an HTTP answer (401, 400, 404) closes its connection: the socket has
 * left the HTTP server's keep-alive handling, so left open it would outlive the refusal (and
 * hold up the server's shutdown).
 */
export function installWebSocketRequests(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    const socket = request.raw.socket;
    // inject() has no real socket to close.
    if (!isUpgrade(request) || !(socket instanceof Socket)) return;
    reply.header('connection', 'close');
    reply.raw.once('finish', () => socket.end());
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
