import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface ConnectionLimits {
  /** Whole request (headers and body) must arrive within this, or it gets a 408 and the connection closes. */
  requestTimeoutSeconds: number;
  /** Headers must arrive within this. */
  headersTimeoutSeconds: number;
  /** An idle keep-alive connection closes after this. */
  keepAliveTimeoutSeconds: number;
  /** Open connections the server holds at once; past it new ones are closed on arrival. */
  maxConnections: number;
  /** Open connections from one remote address; past it that address's new ones are closed on arrival. */
  maxConnectionsPerAddress: number;
}

/** Node checks request and header deadlines on a timer; it ticks often enough that the shortest deadline is kept to within a fraction. */
function checkingIntervalMs(limits: ConnectionLimits): number {
  const shortest = Math.min(limits.requestTimeoutSeconds, limits.headersTimeoutSeconds) * 1000;
  return Math.max(50, Math.min(1000, Math.round(shortest / 4)));
}

/** Counts open connections per remote address and closes those past the cap at once, before a byte is parsed. */
function capConnectionsPerAddress(server: Server, cap: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > cap) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = open.get(address)! - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * Fastify's server factory with the limits slow or flooding clients meet: a client dribbling
 * its headers or body a byte at a time is cut at the deadline (Fastify's default has none), and
 * one address cannot take every connection, so `/health` keeps answering others.
 */
export function httpServerFactory(limits: ConnectionLimits) {
  return (handler: (request: IncomingMessage, response: ServerResponse) => void): Server => {
    const server = createServer(
      {
        requestTimeout: limits.requestTimeoutSeconds * 1000,
        headersTimeout: limits.headersTimeoutSeconds * 1000,
        keepAliveTimeout: limits.keepAliveTimeoutSeconds * 1000,
        connectionsCheckingInterval: checkingIntervalMs(limits),
      },
      handler,
    );
    server.maxConnections = limits.maxConnections;
    capConnectionsPerAddress(server, limits.maxConnectionsPerAddress);
    return server;
  };
}

/**
 * Past this many unread body bytes, a connection is closed rather than kept alive: Node would
 * read and discard the rest of the body to reuse it. Smaller leftovers are cheaper to discard
 * than a new connection is to open, for the many small requests shed under load.
 */
const DISCARD_AT_MOST_BYTES = 64 * 1024;

/**
 * A request answered before its large body was read (refused by the key check, shed under
 * load) closes its connection, so its body is never read: reading it was the very work the
 * early answer meant to spare. A body of undeclared length counts as large.
 */
export function closeConnectionsWithUnreadBodies(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    if (request.raw.complete !== false) return;
    const declared = Number(request.headers['content-length']);
    if (!(declared <= DISCARD_AT_MOST_BYTES)) reply.header('connection', 'close');
  });
}
