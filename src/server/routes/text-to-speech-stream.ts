import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModelPool } from '../../engine/model-pool.js';
import { InvalidRequestError } from '../../errors.js';
import { parseOutputFormat, type OutputSpec } from '../../realtime/output-formats.js';
import type { SessionLimits } from '../../realtime/session-limits.js';
import { SpeechInputSession } from '../../realtime/speech-input-session.js';
import { planSpeechInput } from '../../realtime/speech-input-plan.js';
import type { SpeechPlan, SpeechServiceOptions } from '../../speech/plan-speech.js';

export interface TextToSpeechStreamOptions {
  speech: SpeechServiceOptions;
  limits: SessionLimits;
  maxInputChars: number;
}

interface Params {
  voice_id: string;
}

interface Query {
  model_id?: string;
  output_format?: string;
  sync_alignment?: string;
  inactivity_timeout?: string;
  language_code?: string;
}

interface Prepared {
  plan: SpeechPlan;
  output: OutputSpec;
  alignment: boolean;
  inactivityMs: number;
}

const DEFAULT_INACTIVITY_SECONDS = 20;
const MAX_INACTIVITY_SECONDS = 180;

function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new InvalidRequestError(`${name} must be true or false`, name, 'invalid_value');
}

function inactivitySeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_INACTIVITY_SECONDS;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_INACTIVITY_SECONDS) {
    throw new InvalidRequestError(`inactivity_timeout must be a whole number of seconds from 1 to ${MAX_INACTIVITY_SECONDS}`, 'inactivity_timeout', 'invalid_value');
  }
  return seconds;
}

/**
 * `GET /v1/text-to-speech/{voice_id}/stream-input`: ElevenLabs' input-streaming WebSocket.
 * The voice, model and format are checked before the upgrade (plain HTTP errors); auth is the
 * one `/v1` rule (ElevenLabs clients send `xi-api-key`).
 */
export function textToSpeechStreamRoutes(pool: ModelPool, options: TextToSpeechStreamOptions) {
  const prepared = new WeakMap<FastifyRequest, Prepared>();
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: Params; Querystring: Query }>(
      '/v1/text-to-speech/:voice_id/stream-input',
      {
        websocket: true,
        preValidation: async (request: FastifyRequest<{ Params: Params; Querystring: Query }>) => {
          const { query } = request;
          const output = parseOutputFormat(query.output_format);
          const alignment = flag(query.sync_alignment, 'sync_alignment');
          const inactivityMs = inactivitySeconds(query.inactivity_timeout) * 1000;
          const plan = await planSpeechInput({ voiceId: request.params.voice_id, modelId: query.model_id, output, language: query.language_code }, pool, options.speech);
          prepared.set(request, { plan, output, alignment, inactivityMs });
        },
      },
      (socket, request) => {
        const { plan, output, alignment, inactivityMs } = prepared.get(request)!;
        const session = new SpeechInputSession(
          { send: (message) => socket.send(message), close: (code, reason) => socket.close(code, reason), get bufferedAmount() { return socket.bufferedAmount; } },
          { plan, output, alignment, inactivityMs, pool, limits: options.limits, maxPendingChars: options.maxInputChars, maxChunkChars: options.speech.maxChunkChars },
        );
        socket.on('message', (data, isBinary) => session.receive(isBinary ? '' : data.toString(), isBinary));
        socket.on('close', () => session.end());
        socket.on('error', () => session.end());
        session.start();
      },
    );
  };
}
