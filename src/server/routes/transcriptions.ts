import multipart from '@fastify/multipart';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AudioDecodeError } from '../../audio/decode.js';
import { AudioTooLongError } from '../../audio/decode-stream.js';
import type { ModelPool } from '../../engine/model-pool.js';
import { requireLanguage } from '../../engine/language.js';
import type { RecognitionOptions } from '../../engine/stt-family.js';
import { InvalidRequestError } from '../../errors.js';
import { diarizedSegment, formatTranscript, segmentId, unmeasuredFields } from '../../transcription/formats.js';
import { diarizedTranscribe, type DiarizationJob } from '../../transcription/diarized-transcribe.js';
import { knownSpeakerClips } from '../../transcription/known-speakers.js';
import { AudioMeter, transcribe, type TranscriptionJob } from '../../transcription/transcribe.js';
import { collectFields, transcriptionFieldsSchema, type TranscriptionFields } from '../../transcription/transcription-request.js';
import type { TranscriptSegment } from '../../transcription/transcript.js';
import { releaseWhenDone } from '../load-shedding.js';
import { recordModelWork } from '../metrics.js';
import { readMultipartForm } from '../multipart-form.js';
import { parseFields } from '../parse-body.js';
import { sseErrorEvent, sseEvent } from '../sse.js';
import { isVoiceName } from '../../voices/saved-voice.js';
import type { VoiceStore } from '../../voices/voice-store.js';

export interface TranscriptionRouteOptions {
  maxUploadBytes: number;
  /** Longest audio transcribed; decoding stops there. */
  maxAudioSeconds: number;
  /** The Silero VAD model path, read per request so a model pulled later is used. */
  vadModel: () => string | undefined;
  /** Saved voices, usable as known speakers. */
  voices: VoiceStore;
}

/** A form field may carry a known speaker's clip as a data URL (a 10 s WAV is about 430 kB of base64). */
const MAX_FIELD_BYTES = 4 * 1024 * 1024;

function asClientError(error: unknown, maxAudioSeconds: number): unknown {
  if (error instanceof AudioTooLongError) {
    return new InvalidRequestError(`file is too long: ${error.message}; this server transcribes at most ${maxAudioSeconds} s per request (VOCABLE_MAX_AUDIO_SECONDS). Send a shorter file.`, 'file', 'audio_too_long');
  }
  return error instanceof AudioDecodeError ? new InvalidRequestError(`file: ${error.message}. Send wav, mp3, flac, ogg/opus, m4a, mp4 or webm.`, 'file', 'invalid_audio') : error;
}

/**
 * The form fields that change the answer. Any other field a client sends (`prompt`,
 * `include[]`, `chunking_strategy`, `known_speaker_names[]`, …) is accepted and named in
 * `X-Ignored-Fields`, so the client can tell that it changed nothing.
 */
const HONOURED_FIELDS = new Set([
  'model',
  'language',
  'response_format',
  'timestamp_granularities[]',
  'timestamp_granularities',
  'stream',
  'temperature',
  'known_speaker_names[]',
  'known_speaker_names',
  'known_speaker_references[]',
  'known_speaker_references',
  'speaker_labels',
]);

/** `chunking_strategy` changes the answer of diarized_json only (it lifts the 30 s limit); VAD cuts other formats anyway. */
const honoured = (name: string, format: TranscriptionFields['response_format']) => HONOURED_FIELDS.has(name) || (format === 'diarized_json' && /^chunking_strategy(\[\w+\])?$/.test(name));

/** A client's field name as it can stand in a header list: printable ASCII, no commas, bounded. */
const headerSafe = (name: string): string => name.replace(/[^\x21-\x7e]|,/g, '?').slice(0, 64);

function checkLanguage(fields: TranscriptionFields, languages: readonly string[], modelId: string): string | undefined {
  if (fields.language === undefined || languages.length === 0) return fields.language;
  return requireLanguage(fields.language, languages, modelId);
}

async function parseRequest(request: FastifyRequest, pool: ModelPool, options: TranscriptionRouteOptions, task: RecognitionOptions['task']) {
  // A model at capacity refuses as soon as the form names it, before the upload is read and buffered.
  const form = await readMultipartForm(request, 'file', options.maxUploadBytes, (name, value) => {
    const busy = name === 'model' ? pool.refusalFor(value) : undefined;
    if (busy) throw busy;
  });
  const fields = parseFields(transcriptionFieldsSchema, collectFields(form.fields));
  if (!form.file) throw new InvalidRequestError('file is required: upload the audio as multipart field "file"', 'file', 'missing_file');
  if (form.file.bytes.length === 0) throw new InvalidRequestError('file is empty: upload an audio file', 'file', 'invalid_audio');
  const model = pool.getStt(fields.model);
  if (task === 'translate' && !model.capabilities.translate) {
    throw new InvalidRequestError(`Model '${model.id}' cannot translate; use /v1/audio/transcriptions, or a model that translates (Whisper)`, 'model', 'translation_not_supported');
  }
  const language = checkLanguage(fields, model.capabilities.languages, model.id);
  const ignored = [
    ...[...form.fields.keys()].filter((name) => !honoured(name, fields.response_format)).map(headerSafe),
    ...(fields.temperature ? ['temperature'] : []),
    ...(fields.timestamp_granularities.includes('word') && !model.capabilities.word_timestamps ? ['timestamp_granularities[word]'] : []),
  ];
  const job: TranscriptionJob = {
    model,
    options: { task, ...(language ? { language } : {}) },
    vadModel: options.vadModel(),
    measureNoSpeech: fields.response_format === 'verbose_json' && !fields.stream,
    maxAudioSeconds: options.maxAudioSeconds,
  };
  const diarize = fields.response_format === 'diarized_json' || fields.speaker_labels;
  if (!diarize && (fields.known_speaker_names.length > 0 || fields.known_speaker_references.length > 0)) {
    throw new InvalidRequestError('known_speaker_names[] and known_speaker_references[] label a diarized transcript: send response_format=diarized_json', 'known_speaker_names', 'invalid_value');
  }
  if (!diarize) return { fields, bytes: form.file.bytes, job, ignored, diarization: undefined };
  if (fields.response_format === 'diarized_json' && fields.timestamp_granularities.length > 0) ignored.push('timestamp_granularities');
  const diarization = await diarizationJob(job, fields, task, pool, options.voices);
  return { fields, bytes: form.file.bytes, job, ignored, diarization };
}

/** What diarizing a request needs: the installed speaker models and the known speakers' clips. */
async function diarizationJob(job: TranscriptionJob, fields: TranscriptionFields, task: RecognitionOptions['task'], pool: ModelPool, voices: VoiceStore): Promise<DiarizationJob> {
  const param = fields.response_format === 'diarized_json' ? 'response_format' : 'speaker_labels';
  if (task === 'translate') throw new InvalidRequestError('Speakers are labelled in transcriptions only; use /v1/audio/transcriptions', param, 'invalid_value');
  const segmentation = pool.speakerModel('segmentation');
  const embedding = pool.speakerModel('embedding');
  if (!segmentation || !embedding) {
    throw new InvalidRequestError(
      `Labelling speakers needs a speaker segmentation model and a speaker-embedding model; ${segmentation ? 'the embedding model is' : 'the segmentation model is'} not installed. Install them: vocable pull pyannote-segmentation-3-0 and vocable pull 3dspeaker-campplus-en`,
      param,
      'diarization_unavailable',
    );
  }
  const known = await knownSpeakerClips(fields.known_speaker_names, fields.known_speaker_references, async (name) => (isVoiceName(name) ? voices.audio(name) : undefined));
  return { ...job, segmentationModel: segmentation.id, embeddingModel: embedding.id, known, chunked: fields.chunking_strategy !== undefined };
}

/**
 * SSE: `transcript.text.delta` as segments finish, then `transcript.text.done`; a late failure
 * becomes an error event. Deltas also carry the segment's `start` and `end` (seconds in the
 * file), beyond OpenAI's fields, so a client can show how far the transcription has got.
 */
async function* transcriptEvents(first: IteratorResult<TranscriptSegment>, rest: AsyncGenerator<TranscriptSegment>, maxAudioSeconds: number, diarized: boolean): AsyncGenerator<string> {
  const texts: string[] = [];
  try {
    for (let next = first; !next.done; next = await rest.next()) {
      const segment = next.value;
      const { text, start, end } = segment;
      const delta = texts.length > 0 ? ` ${text}` : text;
      if (diarized) {
        // OpenAI's diarizing model streams a segment's text (deltas naming it), then the segment.
        yield sseEvent({ type: 'transcript.text.delta', delta, segment_id: segmentId(segment.id), start, end });
        yield sseEvent(diarizedSegment(segment));
      } else {
        yield sseEvent({ type: 'transcript.text.delta', delta, start, end });
      }
      texts.push(text);
    }
    yield sseEvent({ type: 'transcript.text.done', text: texts.join(' ') });
  } catch (error) {
    yield sseErrorEvent(asClientError(error, maxAudioSeconds), 'Transcription');
  }
}

/** `POST /v1/audio/transcriptions` and `/v1/audio/translations`: OpenAI's contract, served locally. */
export function transcriptionRoutes(pool: ModelPool, options: TranscriptionRouteOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(multipart, { limits: { fileSize: options.maxUploadBytes, files: 1, fields: 20, fieldSize: MAX_FIELD_BYTES }, throwFileSizeLimit: true });

    const handle = (task: RecognitionOptions['task']) => async (request: FastifyRequest, reply: FastifyReply) => {
      const { fields, bytes, job, ignored, diarization } = await parseRequest(request, pool, options, task);
      // A full queue refuses before decoding and segmenting the upload, so shedding load is cheap.
      const release = pool.admit(job.model.id);
      releaseWhenDone(reply, release);
      if (ignored.length > 0) reply.header('X-Ignored-Fields', ignored.join(', '));
      const meter = new AudioMeter();
      recordModelWork(request, { model: job.model.id, task, audio: meter });
      const segments = diarization ? diarizedTranscribe(bytes, diarization, pool, meter) : transcribe(bytes, job, pool, meter);
      if (fields.stream) {
        // Wait for the first segment so that bad audio still gets a 400, not a broken stream.
        const first = await segments.next().catch((error: unknown) => Promise.reject(asClientError(error, options.maxAudioSeconds)));
        return reply.type('text/event-stream').header('Cache-Control', 'no-cache').send(Readable.from(transcriptEvents(first, segments, options.maxAudioSeconds, fields.response_format === 'diarized_json')));
      }
      const all: TranscriptSegment[] = [];
      try {
        for await (const segment of segments) all.push(segment);
      } catch (error) {
        throw asClientError(error, options.maxAudioSeconds);
      }
      if (meter.samples === 0) throw new InvalidRequestError('file holds no audio samples', 'file', 'invalid_audio');
      const language = task === 'translate' ? 'en' : (job.options.language ?? all.find((s) => s.language)?.language ?? 'unknown');
      const transcript = { task, language, duration: meter.seconds, segments: all };
      const words = fields.timestamp_granularities.includes('word') && job.model.capabilities.word_timestamps;
      const unmeasured = fields.response_format === 'verbose_json' && (fields.timestamp_granularities.includes('segment') || !words) ? unmeasuredFields(all) : [];
      if (unmeasured.length > 0) reply.header('X-Unmeasured-Fields', unmeasured.join(', '));
      const { type, body } = formatTranscript(transcript, fields.response_format, {
        words,
        segmentsAsked: fields.timestamp_granularities.includes('segment'),
        temperature: fields.temperature ?? 0,
      });
      // The model's part is over: its place goes to the next request now, not once the client has read the answer.
      release();
      return reply.type(type).send(body);
    };

    app.post('/v1/audio/transcriptions', { config: { modelTask: 'stt' } }, handle('transcribe'));
    app.post('/v1/audio/translations', { config: { modelTask: 'stt' } }, handle('translate'));
  };
}
