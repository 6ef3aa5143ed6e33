import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { contentType, encodeAudioOffThread } from '../../audio/encode/index.js';
import type { ModelPool } from '../../engine/model-pool.js';
import { InvalidRequestError } from '../../errors.js';
import { recordModelWork } from '../metrics.js';
import { parseFields } from '../parse-body.js';
import { encodeStream, speechEvents, type SpeechUsage } from '../../speech/encode-stream.js';
import { generateSpeech } from '../../speech/generate-speech.js';
import { planSpeech, type SpeechPlan, type SpeechServiceOptions } from '../../speech/plan-speech.js';
import { speechRequestSchema, type SpeechRequest } from '../../speech/speech-request.js';
import { clipSpeakers } from '../../speakers/clip-speakers.js';
import { voiceSimilarity } from '../../speakers/speech-embedding.js';
import { releaseWhenDone } from '../load-shedding.js';

export interface SpeechRouteOptions extends SpeechServiceOptions {
  maxInputChars: number;
}

const noAudio = (plan: SpeechPlan) =>
  new InvalidRequestError(`Model '${plan.model.id}' produced no audio for this input: it may hold nothing speakable. Send words to speak.`, 'input', 'empty_audio');

/** Counts the samples that pass, for the metrics and the SSE usage, read once the audio is complete. */
class SampleMeter {
  samples = 0;
  constructor(private readonly sampleRate: number) {}
  get seconds(): number {
    return this.samples / this.sampleRate;
  }
  async *count(audio: AsyncIterable<Float32Array>): AsyncGenerator<Float32Array> {
    for await (const samples of audio) {
      this.samples += samples.length;
      yield samples;
    }
  }
}

const usageOf = (plan: SpeechPlan, meter: SampleMeter): SpeechUsage => {
  const output = Math.round(meter.seconds * 1000);
  return { input_tokens: plan.inputChars, output_tokens: output, total_tokens: plan.inputChars + output };
};

async function collect(audio: AsyncIterable<Float32Array> | Iterable<Float32Array>): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  let length = 0;
  for await (const part of audio) {
    parts.push(part);
    length += part.length;
  }
  const samples = new Float32Array(length);
  let offset = 0;
  for (const part of parts) {
    samples.set(part, offset);
    offset += part.length;
  }
  return samples;
}

/** Where `speaker_similarity` can be reported, and with which embedding model; refused where it cannot. */
function similarityModel(fields: SpeechRequest, plan: SpeechPlan, pool: ModelPool): string | undefined {
  if (!fields.speaker_similarity) return undefined;
  if (!plan.settings.reference) {
    throw new InvalidRequestError('speaker_similarity compares a clone with its reference: send ref_audio, or name a saved voice', 'speaker_similarity', 'invalid_value');
  }
  if (plan.stream === 'audio') {
    throw new InvalidRequestError(
      'speaker_similarity is reported once the audio is complete: send stream: false (X-Speaker-Similarity header) or stream_format: "sse" (a field of speech.audio.done)',
      'speaker_similarity',
      'invalid_value',
    );
  }
  const model = pool.speakerModel('embedding');
  if (!model) throw new InvalidRequestError('speaker_similarity needs a speaker-embedding model; install one: vocable pull 3dspeaker-campplus-en', 'speaker_similarity', 'similarity_unavailable');
  return model.id;
}

/** Keeps what passes, so the voice of the whole output can be compared with the reference. */
class SampleKeeper {
  private readonly parts: Float32Array[] = [];
  async *keep(audio: AsyncIterable<Float32Array>): AsyncGenerator<Float32Array> {
    for await (const samples of audio) {
      this.parts.push(samples);
      yield samples;
    }
  }
  all(): Promise<Float32Array> {
    return collect(this.parts);
  }
}

/**
 * Sends a streamed body once its first bytes exist, so that an error before any audio (a full
 * queue, an engine failure) still gets a proper status and error body.
 */
async function sendStream(reply: FastifyReply, body: AsyncGenerator<Buffer | string>, type: string, plan: SpeechPlan) {
  const first = await body.next();
  if (first.done) throw noAudio(plan);
  async function* rest() {
    yield first.value;
    yield* body;
  }
  return reply.type(type).header('Cache-Control', 'no-cache').send(Readable.from(rest()));
}

/** `POST /v1/audio/speech`: OpenAI's text-to-speech contract plus `ref_audio`/`ref_text` cloning. */
export function speechRoutes(pool: ModelPool, options: SpeechRouteOptions) {
  const schema = speechRequestSchema(options.maxInputChars);
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/v1/audio/speech', { config: { modelTask: 'tts' } }, async (request, reply) => {
      if (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body)) {
        throw new InvalidRequestError('The body must be a JSON object with at least model and input', null, 'invalid_json');
      }
      const fields = parseFields(schema, request.body);
      // A full model refuses before the reference clip is decoded, so shedding load is cheap.
      const release = pool.admit(fields.model);
      releaseWhenDone(reply, release);
      const plan = await planSpeech(fields, pool, options);
      const similarityWith = similarityModel(fields, plan, pool);
      const reference = plan.settings.reference?.audio;
      // A clip of two voices makes a blended clone: say so before generating (saved voices were checked when saved).
      const check = fields.ref_audio !== undefined && reference ? await clipSpeakers(pool, reference) : undefined;
      if (check) reply.header('X-Reference-Speakers', String(check.speakers));
      if (check?.warning) reply.header('X-Reference-Warning', check.warning);

      // The client going away stops generation: the model is freed for the next request.
      const clientGone = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) clientGone.abort();
      });
      const meter = new SampleMeter(plan.outputRate);
      const kept = new SampleKeeper();
      const generated = meter.count(generateSpeech(plan, pool, clientGone.signal));
      const audio = similarityWith && plan.stream === 'sse' ? kept.keep(generated) : generated;
      const similarity = async () => voiceSimilarity(pool, similarityWith!, reference!, { samples: await kept.all(), sampleRate: plan.outputRate });
      recordModelWork(request, { model: plan.model.id, task: 'speech', audio: meter });

      reply.header('X-Sample-Rate', String(plan.outputRate));
      if (plan.ignored.length > 0) reply.header('X-Ignored-Fields', plan.ignored.join(', '));
      const trimmed = plan.settings.reference?.trimmed;
      if (trimmed) reply.header('X-Reference-Trimmed', `${trimmed.fromSeconds.toFixed(1)}s->${trimmed.toSeconds.toFixed(1)}s`);
      if (plan.stream === 'audio') return sendStream(reply, encodeStream(audio, plan.format, plan.outputRate, clientGone.signal), contentType(plan.format), plan);
      if (plan.stream === 'sse') {
        const extra = similarityWith ? async () => ({ speaker_similarity: await similarity() }) : undefined;
        const events = speechEvents(encodeStream(audio, plan.format, plan.outputRate, clientGone.signal), () => usageOf(plan, meter), extra);
        return sendStream(reply, events, 'text/event-stream', plan);
      }

      const samples = await collect(audio);
      if (samples.length === 0) throw noAudio(plan);
      if (similarityWith) reply.header('X-Speaker-Similarity', String(await voiceSimilarity(pool, similarityWith, reference!, { samples, sampleRate: plan.outputRate })));
      const file = await encodeAudioOffThread({ samples, sampleRate: plan.outputRate }, plan.format);
      // The model's part is over: its place goes to the next request now, not once the client has read the file.
      release();
      return reply.type(contentType(plan.format)).send(file);
    });
  };
}
