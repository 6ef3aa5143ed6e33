import { z } from 'zod';
import { OUTPUT_FORMATS } from '../../audio/encode/index.js';
import { ERROR_CODES, type ErrorCode } from '../../errors.js';
import { speechRequestSchema } from '../../speech/speech-request.js';
import { transcriptionFieldsSchema } from '../../transcription/transcription-request.js';
import { pullRequestSchema } from '../routes/model-pull.js';
import { jsonVoice, patchVoice } from '../routes/voices.js';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses), as plain data. */
export type JsonSchema = { [key: string]: unknown };

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; description: string; schema: JsonSchema }[];
  requestBody?: { required: true; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: JsonSchema }> }>;
}

/** The request schemas the routes validate with, as JSON Schema: what a client may send (before defaults and transforms). */
function requestSchema(schema: z.ZodType, descriptions: Record<string, string> = {}): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  const properties = json.properties as Record<string, JsonSchema>;
  for (const [name, description] of Object.entries(descriptions)) {
    if (!properties[name]) throw new Error(`the API document describes a field the schema lacks: ${name}`);
    properties[name] = { ...properties[name], description };
  }
  return json;
}

const SPEECH_FIELDS: Record<string, string> = {
  model: "An installed text-to-speech model (GET /v1/models), or an alias of one: OpenAI's `tts-1`, `tts-1-hd`, `gpt-4o-mini-tts` stand for the default.",
  input: 'The text to speak.',
  voice: 'A preset voice of the model, a saved voice (GET /v1/voices), or an OpenAI voice name (alloy, echo, nova, …), which becomes a preset of the same sex, or a Kyutai voice-pack voice on models that only clone; `{ "id": name }` is accepted too.',
  response_format: `Audio format: ${OUTPUT_FORMATS.join(', ')}. aac needs ffmpeg on the server.`,
  speed: 'Speaking rate, 0.25 to 4.',
  stream: 'Stream the audio as it is made (the default); `false` answers with one whole file.',
  stream_format: '`audio` (raw bytes of the format) or `sse` (`speech.audio.delta` events with base64 chunks, then `speech.audio.done`).',
  sample_rate: 'Resample the output to this rate, in Hz.',
  ref_audio: 'Voice cloning: a reference clip, base64 (a `data:audio/...;base64,` prefix is accepted). Never a URL. Over the size limit: 413.',
  ref_text: 'Voice cloning: what the reference clip says. Required by models that condition on a transcript (ZipVoice-like); ignored by models that clone from audio alone.',
  language: 'The language of the text, for models that speak several.',
  speaker_similarity: "Vocable's own, when cloning: report how alike the generated voice sounds to the reference (cosine similarity of speaker embeddings, -1 to 1) as the X-Speaker-Similarity header (stream: false) or a field of speech.audio.done (SSE). Needs a speaker-embedding model.",
};

const TRANSCRIPTION_FIELDS: Record<string, string> = {
  model: "An installed speech-to-text model (GET /v1/models), or an alias of one: OpenAI's `whisper-1`, `gpt-4o-transcribe`, `gpt-4o-mini-transcribe` stand for the default.",
  language: 'The language spoken (ISO 639-1), when known.',
  response_format: 'json, text, srt, vtt, verbose_json (segments and words with times) or diarized_json (speaker turns).',
  timestamp_granularities: '`segment` and/or `word` times in verbose_json.',
  stream: '`true`: server-sent events, `transcript.text.delta` per segment, then `transcript.text.done`.',
  speaker_labels: "Vocable's own: label verbose_json segments and SRT/VTT cues with speakers (needs the speaker models).",
  chunking_strategy: '`auto` or `{"type": "server_vad", ...}`; required by diarized_json for audio over 30 s.',
  known_speaker_names: 'Up to 4 names for the speakers heard in known_speaker_references, in the same order (diarized_json).',
  known_speaker_references: 'Up to 4 clips naming speakers: each a data URL of 2-10 s of audio, or the name of a saved voice.',
};

const VOICE_FIELDS: Record<string, string> = {
  name: 'The voice name: letters, digits, - and _.',
  audio: 'The clip, base64-encoded (or upload it as multipart field `file`).',
  transcript: 'What the clip says; omitted, an installed speech-to-text model fills it in.',
  model: 'The model the voice is meant for (one that clones).',
};

const ERROR_TYPES = ['invalid_request_error', 'authentication_error', 'permission_error', 'server_error', 'service_unavailable'];

const errorSchema: JsonSchema = {
  type: 'object',
  description: "OpenAI's error shape. Match on `code`; `message` says what to do.",
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string', enum: ERROR_TYPES },
        param: { type: ['string', 'null'], description: 'The request field at fault, when one is.' },
        code: { anyOf: [{ $ref: '#/components/schemas/ErrorCode' }, { type: 'null' }] },
      },
      required: ['message', 'type', 'param', 'code'],
    },
  },
  required: ['error'],
};

/** Every error code, each with its status and meaning (from the one catalogue in src/errors.ts). */
const errorCodeSchema: JsonSchema = {
  description: 'Every error code the server returns.',
  oneOf: Object.entries(ERROR_CODES).map(([code, { status, meaning }]) => ({ const: code, description: `HTTP ${status}: ${meaning}` })),
};

/** The error codes grouped by their status: status → codes. */
function codesByStatus(): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const [code, { status }] of Object.entries(ERROR_CODES) as [ErrorCode, (typeof ERROR_CODES)[ErrorCode]][]) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

const errorResponse = (status: number, codes: readonly ErrorCode[]) => ({
  description: `Error (${codes.map((c) => `\`${c}\``).join(', ')}).`,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  ...(status === 503
    ? {
        headers: {
          'retry-after-ms': { description: 'Milliseconds to wait, when the model is busy: the client\'s turn (OpenAI\'s SDKs read it first).', schema: { type: 'integer' } },
          'Retry-After': { description: 'The same wait in whole seconds, at least 1.', schema: { type: 'integer' } },
        },
      }
    : {}),
});

/** The error responses an operation can give: the statuses named, each listing the codes that come with it. */
function errors(...statuses: number[]): Operation['responses'] {
  const byStatus = codesByStatus();
  return Object.fromEntries(statuses.map((status) => [String(status), errorResponse(status, byStatus.get(status) ?? [])]));
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const ok = (description: string, content?: Record<string, { schema: JsonSchema }>) => ({ description, ...(content ? { content } : {}) });

const modelSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { const: 'model' },
    created: { type: 'integer' },
    owned_by: { type: 'string' },
    loaded: { type: 'boolean' },
    queue_depth: { type: 'integer' },
    memory_bytes: { type: 'integer' },
    alias_for: { type: 'string', description: 'On an alias entry (`tts-1`, `whisper-1`, or one configured in modelAliases): the installed model it stands for.' },
    capabilities: { type: 'object', description: 'task, family, cloning (none | audio | audio+transcript), preset voices, sample rate, languages, controls; for models that clone, reference_seconds {min, max, used}: the clip lengths accepted and the seconds of speech used (a longer clip is trimmed to its best stretch of speech, reported in the X-Reference-Trimmed response header).' },
  },
  required: ['id', 'object', 'created', 'owned_by'],
};

const voiceSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { const: 'voice' },
    created_at: { type: 'integer', description: 'Unix seconds.' },
    transcript: { type: ['string', 'null'], description: 'What the clip says; null until given or transcribed.' },
    model: { type: ['string', 'null'], description: 'The model the voice was saved for, if one was named.' },
    sample_rate: { type: 'integer' },
    duration_seconds: { type: 'number' },
  },
  required: ['id', 'object', 'created_at', 'transcript', 'model', 'sample_rate', 'duration_seconds'],
};

const modelId = { name: 'id', in: 'path' as const, required: true as const, description: 'The model id (its folder name).', schema: { type: 'string' } };
const voiceName = { name: 'name', in: 'path' as const, required: true as const, description: 'The saved voice name.', schema: { type: 'string' } };
const open: Record<string, string[]>[] = [];
const AUDIO_TYPES = ['audio/mpeg', 'audio/ogg', 'audio/aac', 'audio/flac', 'audio/wav', 'audio/pcm'];

/** Common to every route that needs the key when one is set. */
const v1Errors = [400, 401, 403, 404, 503];

function operations(maxInputChars: number): Record<string, Record<string, Operation>> {
  const transcription = (task: 'transcriptions' | 'translations'): Operation => ({
    operationId: task === 'transcriptions' ? 'createTranscription' : 'createTranslation',
    summary: task === 'transcriptions' ? 'Transcribe audio' : 'Translate audio into English text',
    description: 'Any common format in (wav, mp3, flac, ogg/opus, m4a, mp4, webm); long audio is cut by Silero VAD. Translation needs a model that translates (Whisper).',
    tags: ['Audio'],
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: (() => {
            const fields = requestSchema(transcriptionFieldsSchema, TRANSCRIPTION_FIELDS);
            return { ...fields, properties: { file: { type: 'string', format: 'binary', description: 'The audio file.' }, ...(fields.properties as object) }, required: ['file', ...(fields.required as string[])] };
          })(),
        },
      },
    },
    responses: {
      '200': ok('The transcript, in `response_format`.', {
        'application/json': { schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], description: 'json: `{text}`; verbose_json adds language, duration, segments and words; diarized_json, speaker segments.' } },
        'text/plain': { schema: { type: 'string', description: 'text, srt or vtt.' } },
        'text/event-stream': { schema: { type: 'string', description: 'With stream=true.' } },
      }),
      ...errors(...v1Errors, 413, 415, 500),
    },
  });

  return {
    '/v1/audio/speech': {
      post: {
        operationId: 'createSpeech',
        summary: 'Text to speech, with preset voices, saved voices, or cloned from a reference clip',
        description: 'OpenAI\'s request plus cloning: send `ref_audio` (and `ref_text` for models that need it) to speak in the voice of the clip. A model that cannot clone, asked to, is a 400, never a silent fallback to a preset voice. Nothing is left on disk after a request.',
        tags: ['Audio'],
        requestBody: { required: true, content: json(requestSchema(speechRequestSchema(maxInputChars), SPEECH_FIELDS)) },
        responses: {
          '200': ok('The audio, streamed as it is made unless `stream` is false.', {
            ...Object.fromEntries(AUDIO_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
            'text/event-stream': { schema: { type: 'string', description: 'With stream_format=sse.' } },
          }),
          ...errors(...v1Errors, 409, 413, 415, 500),
        },
      },
    },
    '/v1/audio/transcriptions': { post: transcription('transcriptions') },
    '/v1/realtime': {
      get: {
        operationId: 'realtimeTranscription',
        summary: 'Live transcription over a WebSocket: OpenAI Realtime API transcription sessions',
        description:
          'Upgrades to a WebSocket. Client events: `session.update` (audio/pcm 24 kHz, audio/pcmu, audio/pcma; transcription model and language; `server_vad` turn detection or `null` for manual commits), `input_audio_buffer.append` (base64), `.commit`, `.clear`. Server events: `session.created`, `session.updated`, `input_audio_buffer.speech_started` / `speech_stopped` / `committed` / `cleared`, `conversation.item.input_audio_transcription.delta` / `.completed` / `.failed`, `error`. The key may also be sent, from a browser, as the subprotocol `openai-insecure-api-key.<key>` or `?api_key=`.',
        tags: ['Live'],
        parameters: [
          { name: 'intent', in: 'query', required: false, description: '`transcription` (the only session served).', schema: { const: 'transcription' } },
          { name: 'model', in: 'query', required: false, description: 'The speech-to-text model the session starts with (as the openai SDK sends it).', schema: { type: 'string' } },
        ],
        responses: { '101': { description: 'Switching to the WebSocket protocol.' }, ...errors(400, 401, 403, 404) },
      },
    },
    '/v1/audio/translations': { post: transcription('translations') },
    '/v1/text-to-speech/{voice_id}/stream-input': {
      get: {
        operationId: 'streamInputSpeech',
        summary: "Text in as it is written, speech out clause by clause: ElevenLabs' input-streaming WebSocket",
        description:
          'Upgrades to a WebSocket. Client messages: `{"text": " ", "voice_settings": {...}, "generation_config": {...}}` to start, `{"text": "..."}` chunks (a clause is spoken as soon as it is complete), `{"text": "...", "flush": true}` to speak what is buffered, `{"text": ""}` to finish. Server messages: `{"audio": "<base64>", "isFinal": false}` (with `alignment` and `normalizedAlignment` when `sync_alignment=true`), then `{"audio": null, "isFinal": true}`; errors as `{"error": {...}}`. ElevenLabs clients may send the key as `xi-api-key`.',
        tags: ['Live'],
        parameters: [
          { name: 'voice_id', in: 'path', required: true, description: 'A preset voice of an installed model, or a saved voice.', schema: { type: 'string' } },
          { name: 'model_id', in: 'query', required: false, description: 'An installed text-to-speech model; ElevenLabs ids (`eleven_...`) pick the model that has the voice.', schema: { type: 'string' } },
          { name: 'output_format', in: 'query', required: false, description: '`mp3_<rate>_<kbps>` (default mp3_44100_128), `pcm_<rate>`, `ulaw_8000`, `alaw_8000`, `opus_48000_<kbps>`.', schema: { type: 'string' } },
          { name: 'sync_alignment', in: 'query', required: false, description: 'Send estimated character timings with each clause.', schema: { type: 'boolean' } },
          { name: 'inactivity_timeout', in: 'query', required: false, description: 'Seconds without text before the session closes (1 to 180, default 20).', schema: { type: 'integer' } },
          { name: 'language_code', in: 'query', required: false, description: 'The language of the text, for models that speak several.', schema: { type: 'string' } },
        ],
        responses: { '101': { description: 'Switching to the WebSocket protocol.' }, ...errors(400, 401, 403, 404) },
      },
    },
    '/v1/models': {
      get: { operationId: 'listModels', summary: 'Installed models, with capabilities, loaded state and memory', tags: ['Models'], responses: { '200': ok('The models.', json({ type: 'object', properties: { object: { const: 'list' }, data: { type: 'array', items: ref('Model') } } })), ...errors(401, 403) } },
    },
    '/v1/models/{id}': {
      get: { operationId: 'retrieveModel', summary: 'One installed model', tags: ['Models'], parameters: [modelId], responses: { '200': ok('The model.', json(ref('Model'))), ...errors(401, 403, 404, 503) } },
    },
    '/v1/models/{id}/load': {
      post: { operationId: 'loadModel', summary: 'Load a model now (warm it before traffic)', tags: ['Models'], parameters: [modelId], responses: { '200': ok('The model, loaded.', json(ref('Model'))), ...errors(401, 403, 404, 503) } },
    },
    '/v1/models/{id}/unload': {
      post: { operationId: 'unloadModel', summary: 'Unload a model to free its memory (409 while it has jobs)', tags: ['Models'], parameters: [modelId], responses: { '200': ok('The model, unloaded.', json(ref('Model'))), ...errors(401, 403, 404, 409) } },
    },
    '/v1/models/pull': {
      post: {
        operationId: 'pullModel',
        summary: 'Download a catalogue model into the models folder',
        description: 'Resumes an interrupted download, checks size and SHA-256, installs atomically. Streams `model.pull.progress` events, then `model.pull.done` (or an `error` event); `"stream": false` answers once, when done.',
        tags: ['Models'],
        requestBody: { required: true, content: json(requestSchema(pullRequestSchema, { model: 'A catalogue id (GET /v1/catalogue).', stream: 'Stream progress events (the default).' })) },
        responses: {
          '200': ok('Progress events, or the outcome.', { 'text/event-stream': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object', properties: { model: { type: 'string' }, status: { type: 'string' } } } } }),
          ...errors(400, 401, 403, 404, 502, 507),
        },
      },
    },
    '/v1/catalogue': {
      get: { operationId: 'listCatalogue', summary: 'The models that can be pulled, with size, licence and whether installed or pulling (with `progress`: phase, received_bytes, total_bytes)', tags: ['Models'], responses: { '200': ok('The catalogue.', json({ type: 'object' })), ...errors(401, 403) } },
    },
    '/v1/voices': {
      get: { operationId: 'listVoices', summary: 'Saved voices', tags: ['Voices'], responses: { '200': ok('The saved voices.', json({ type: 'object', properties: { object: { const: 'list' }, data: { type: 'array', items: ref('Voice') } } })), ...errors(401, 403, 503) } },
      post: {
        operationId: 'createVoice',
        summary: 'Save a clip as a named voice, reusable as `voice` in speech requests',
        tags: ['Voices'],
        requestBody: {
          required: true,
          content: {
            ...json(requestSchema(jsonVoice, VOICE_FIELDS)),
            'multipart/form-data': { schema: { type: 'object', properties: { name: { type: 'string' }, file: { type: 'string', format: 'binary' }, transcript: { type: 'string' }, model: { type: 'string' } }, required: ['name', 'file'] } },
          },
        },
        responses: { '201': ok('The saved voice.', json(ref('Voice'))), ...errors(400, 401, 403, 404, 409, 413, 503, 507) },
      },
    },
    '/v1/voices/{name}': {
      get: { operationId: 'retrieveVoice', summary: 'One saved voice', tags: ['Voices'], parameters: [voiceName], responses: { '200': ok('The voice.', json(ref('Voice'))), ...errors(400, 401, 403, 404, 503) } },
      patch: {
        operationId: 'updateVoice',
        summary: "Set or clear a saved voice's transcript, or rename it",
        tags: ['Voices'],
        parameters: [voiceName],
        requestBody: { required: true, content: json(requestSchema(patchVoice, { transcript: 'What the clip says; null clears it.', name: 'A new name for the voice (409 when taken).' })) },
        responses: { '200': ok('The voice.', json(ref('Voice'))), ...errors(400, 401, 403, 404, 409, 503, 507) },
      },
      delete: {
        operationId: 'deleteVoice',
        summary: 'Delete a saved voice',
        tags: ['Voices'],
        parameters: [voiceName],
        responses: { '200': ok('Deleted.', json({ type: 'object', properties: { id: { type: 'string' }, object: { const: 'voice.deleted' }, deleted: { const: true } } })), ...errors(400, 401, 403, 404, 503) },
      },
    },
    '/v1/voices/{name}/audio': {
      get: { operationId: 'retrieveVoiceAudio', summary: "A saved voice's clip as saved (24 kHz mono WAV)", tags: ['Voices'], parameters: [voiceName], responses: { '200': ok('The clip.', { 'audio/wav': { schema: { type: 'string', format: 'binary' } } }), ...errors(400, 401, 403, 404, 503) } },
    },
    '/health': { get: { operationId: 'health', summary: 'Liveness: 200 as soon as the server listens', tags: ['Operations'], security: open, responses: { '200': ok('Alive.', json({ type: 'object', properties: { status: { const: 'ok' } } })) } } },
    '/ready': {
      get: { operationId: 'ready', summary: 'Readiness: 200 once a model is installed', tags: ['Operations'], security: open, responses: { '200': ok('Ready.', json({ type: 'object', properties: { status: { const: 'ready' }, models: { type: 'integer' } } })), ...errors(503) } },
    },
    '/metrics': { get: { operationId: 'metrics', summary: 'Prometheus metrics (needs the key when one is set)', tags: ['Operations'], responses: { '200': ok('Prometheus text format.', { 'text/plain': { schema: { type: 'string' } } }), ...errors(401, 403) } } },
    '/': { get: { operationId: 'playground', summary: 'The playground: speak, clone and transcribe in a browser', tags: ['Pages'], security: open, responses: { '200': ok('HTML.', { 'text/html': { schema: { type: 'string' } } }) } } },
    '/playground/{file}': {
      get: {
        operationId: 'playgroundAsset',
        summary: "The playground's scripts, styles and icon (names carry a content hash)",
        tags: ['Pages'],
        security: open,
        parameters: [{ name: 'file', in: 'path', required: true, description: 'The asset file name.', schema: { type: 'string' } }],
        responses: { '200': ok('The asset.'), ...errors(404) },
      },
    },
    '/openapi.json': { get: { operationId: 'openapi', summary: 'This document', tags: ['Pages'], security: open, responses: { '200': ok('OpenAPI 3.1.', json({ type: 'object' })) } } },
    '/docs': { get: { operationId: 'docs', summary: 'This document as a page (works offline)', tags: ['Pages'], security: open, responses: { '200': ok('HTML.', { 'text/html': { schema: { type: 'string' } } }) } } },
  };
}

export interface ApiDocumentOptions {
  version: string;
  /** The server's speech input limit, so the document states the limit this server applies. */
  maxInputChars: number;
}

/** The OpenAPI 3.1 document of the whole HTTP API, its request bodies from the schemas the routes validate with. */
export function apiDocument({ version, maxInputChars }: ApiDocumentOptions): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vocable',
      version,
      description:
        'A local, OpenAI-compatible speech server: text to speech with preset voices and zero-shot voice cloning, speech to text, saved voices, model downloads. ' +
        'When the server has an API key, every route but /health, /ready, the playground and these docs needs `Authorization: Bearer <key>`. ' +
        'Errors use OpenAI\'s shape, `{"error": {"message", "type", "param", "code"}}`; the ErrorCode schema lists every code.',
    },
    security: [{ apiKey: [] }],
    paths: operations(maxInputChars),
    components: {
      schemas: { Error: errorSchema, ErrorCode: errorCodeSchema, Model: modelSchema, Voice: voiceSchema },
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'The key the server was started with (--api-key or VOCABLE_API_KEY).' } },
    },
  };
}
