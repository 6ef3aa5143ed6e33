import type { FastifyInstance } from 'fastify';
import { encodePcm16, encodeWav } from '../../audio/wav.js';
import type { ModelPool } from '../../engine/model-pool.js';
import { InvalidRequestError } from '../../errors.js';
import { speechRequestSchema } from '../../speech/speech-request.js';
import { synthesizeSpeech, type SpeechServiceOptions } from '../../speech/synthesize.js';

/** `POST /v1/audio/speech`: OpenAI's text-to-speech contract plus `ref_audio`/`ref_text` cloning. */
export function speechRoutes(pool: ModelPool, options: SpeechServiceOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/v1/audio/speech', async (request, reply) => {
      if (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body)) {
        throw new InvalidRequestError('The body must be a JSON object with at least model and input', null, 'invalid_json');
      }
      const parsed = speechRequestSchema.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const param = issue.path.map(String).join('.') || null;
        const message = issue.code === 'invalid_type' ? `${param}: ${issue.message}` : issue.message;
        throw new InvalidRequestError(message, param, issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value');
      }
      const { audio, format, ignored } = await synthesizeSpeech(parsed.data, pool, options);
      reply.header('X-Sample-Rate', String(audio.sampleRate));
      if (ignored.length > 0) reply.header('X-Ignored-Fields', ignored.join(', '));
      if (format === 'pcm') return reply.type('audio/pcm').send(encodePcm16(audio.samples));
      return reply.type('audio/wav').send(encodeWav(audio));
    });
  };
}
