import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModelPool } from '../../engine/model-pool.js';
import { InvalidRequestError } from '../../errors.js';
import type { SessionLimits } from '../../realtime/session-limits.js';
import { TranscriptionSession, type TranscriptionSessionOptions } from '../../realtime/transcription-session.js';

export interface RealtimeRouteOptions extends Omit<TranscriptionSessionOptions, 'model' | 'pool' | 'limits'> {
  limits: SessionLimits;
}

interface RealtimeQuery {
  intent?: string;
  model?: string;
}

/** Checks the URL before the upgrade, so a wrong one gets a plain HTTP error a client can read. */
function checkQuery(pool: ModelPool, query: RealtimeQuery): void {
  if (query.intent !== undefined && query.intent !== 'transcription') {
    throw new InvalidRequestError(`intent '${query.intent}' is not served here: this server opens transcription sessions only (?intent=transcription).`, 'intent', 'unsupported_intent');
  }
  if (query.intent === undefined && query.model === undefined) {
    throw new InvalidRequestError('Open a transcription session with GET /v1/realtime?intent=transcription (or ?model=<speech-to-text model>).', 'intent', 'missing_intent');
  }
  if (query.model !== undefined) pool.getStt(query.model);
}

/**
 * `GET /v1/realtime?intent=transcription`: OpenAI's Realtime API transcription session over a
 * WebSocket. Auth is the one `/v1` rule (the browser key forms are turned into it first).
 */
export function realtimeRoutes(pool: ModelPool, options: RealtimeRouteOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: RealtimeQuery }>(
      '/v1/realtime',
      {
        websocket: true,
        preValidation: async (request: FastifyRequest<{ Querystring: RealtimeQuery }>) => checkQuery(pool, request.query),
      },
      (socket, request) => {
        const session = new TranscriptionSession(
          { send: (message) => socket.send(message, () => session.delivered()), close: (code, reason) => socket.close(code, reason) },
          { ...options, pool, model: request.query.model },
        );
        socket.on('message', (data, isBinary) => session.receive(isBinary ? '' : data.toString(), isBinary));
        socket.on('close', () => session.end());
        socket.on('error', () => session.end());
        session.start();
      },
    );
  };
}
