import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InstalledModel } from '../engine/discovery.js';
import type { ModelPool } from '../engine/model-pool.js';
import { ServiceBusyError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The kind of model the route runs: when every such model is at capacity, it is refused before its body is read. */
    modelTask?: InstalledModel['task'];
  }
}

/** How long a client is told to wait when the server holds as many request bodies as it may. */
const BODIES_RETRY_AFTER_MS = 1000;

/** Bytes of request bodies held by requests in flight, against a bound. */
export class BufferedBytes {
  private held = 0;

  constructor(private readonly limit: number) {}

  /** Reserves `bytes`, or refuses (503) when that would pass the bound; returns the release. */
  reserve(bytes: number): () => void {
    if (this.held > 0 && this.held + bytes > this.limit) {
      throw new ServiceBusyError(
        `The server holds ${Math.round(this.held / 1048576)} MB of request bodies, its bound (VOCABLE_MAX_BUFFERED_BYTES); retry shortly.`,
        BODIES_RETRY_AFTER_MS,
      );
    }
    this.held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
    };
  }
}

/** Runs `release` once the response is over, whether it finished or the client went away. */
export function releaseWhenDone(reply: FastifyReply, release: () => void): void {
  reply.raw.once('finish', release);
  reply.raw.once('close', release);
}

function declaredBytes(request: FastifyRequest): number {
  const length = Number(request.headers['content-length']);
  // A body of undeclared length (chunked) may grow to the route's limit.
  return Number.isFinite(length) && length >= 0 ? length : request.routeOptions.bodyLimit;
}

/**
 * Sheds load cheaply and early, in `onRequest` (after the key check, before a byte of the
 * body is read): a request to a route whose models are all at capacity gets its 503 with
 * `Retry-After` at once, and so does one whose body would take the bytes held for waiting
 * requests past `maxBufferedBytes`. Its connection then closes, its body unread.
 */
export function installLoadShedding(app: FastifyInstance, pool: ModelPool, maxBufferedBytes: number): void {
  const buffered = new BufferedBytes(maxBufferedBytes);
  app.addHook('onRequest', async (request, reply) => {
    const task = request.routeOptions.config.modelTask;
    if (!task) return;
    const busy = pool.busyFor(task);
    if (busy) throw busy;
    releaseWhenDone(reply, buffered.reserve(declaredBytes(request)));
  });
}
