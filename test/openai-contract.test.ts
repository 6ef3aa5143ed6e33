/**
 * The contract test: real responses of every audio and model route, every response format and
 * every stream event, checked against the schemas of OpenAI's published OpenAPI document
 * (vendored in test/contract/openai with its source and commit). Any violation fails.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createParser } from 'eventsource-parser';
import type { FastifyInstance } from 'fastify';
import OpenAI, { toFile } from 'openai';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import type { ModelPool } from '../src/engine/model-pool.js';
import { testApp } from './helpers/app.js';
import { sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';
import { assertHeaderSchema, assertSchema, responseSchemaNames } from './helpers/openai-schema.js';

const KEY = 'sk-vocable-contract';
const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
const STT_MODELS = [FIXTURE_MODELS.sensevoice, FIXTURE_MODELS.whisper, FIXTURE_MODELS.parakeet, FIXTURE_MODELS.moonshine];

let app: FastifyInstance;
let pool: ModelPool;
let base: string;
let client: OpenAI;

before(async () => {
  ({ app, pool } = await testApp(await fixtureModelsDir(), { apiKey: KEY, maxQueue: 0 }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  client = new OpenAI({ apiKey: KEY, baseURL: `${base}/v1`, maxRetries: 0 });
});
after(() => app.close());

const call = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${KEY}`, ...init.headers } });
const postJson = (path: string, body: object) => call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The data of every SSE event in a response, parsed. */
async function sseEvents(response: Response): Promise<Record<string, unknown>[]> {
  assert.match(String(response.headers.get('content-type')), /^text\/event-stream/);
  const events: Record<string, unknown>[] = [];
  const parser = createParser({ onEvent: (event) => events.push(JSON.parse(event.data) as Record<string, unknown>) });
  const decoder = new TextDecoder();
  for await (const part of response.body!) parser.feed(decoder.decode(part, { stream: true }));
  return events;
}

/** A stream event against the route's event union and against its own event type's schema. */
function assertEvent(union: string, byType: Record<string, string>, event: Record<string, unknown>): void {
  assertSchema(union, event);
  const own = byType[String(event.type)];
  assert.ok(own, `an event type OpenAI does not define: ${String(event.type)}`);
  assertSchema(own, event);
}

describe('GET /v1/models', () => {
  test('the list is a ListModelsResponse and each entry a Model', async () => {
    assert.deepEqual(responseSchemaNames('/models', 'get', '200', 'application/json'), ['ListModelsResponse']);
    const response = await call('/v1/models');
    const list = (await response.json()) as { data: { id: string }[] };
    assertSchema('ListModelsResponse', list);
    assert.ok(list.data.length >= Object.keys(FIXTURE_MODELS).length);
    for (const model of list.data) assertSchema('Model', model, `model ${model.id}`);
    const sdk = await client.models.list();
    assert.deepEqual(sdk.data.map((m) => m.id), list.data.map((m) => m.id));
  });

  test('one model is a Model', async () => {
    assert.deepEqual(responseSchemaNames('/models/{model}', 'get', '200', 'application/json'), ['Model']);
    assertSchema('Model', await client.models.retrieve(FIXTURE_MODELS.kokoro));
  });
});

describe('POST /v1/audio/speech', () => {
  for (const format of SPEECH_FORMATS) {
    test(`${format}: the audio body OpenAI describes (binary, chunked)`, async () => {
      const response = await postJson('/v1/audio/speech', { model: FIXTURE_MODELS.kokoro, voice: 'af_heart', input: 'Checking the contract.', response_format: format });
      assert.equal(response.status, 200);
      // OpenAI's response declares chunked transfer and a binary body.
      assert.equal(response.headers.get('transfer-encoding'), 'chunked');
      assert.match(String(response.headers.get('content-type')), /^audio\//);
      assert.ok((await response.arrayBuffer()).byteLength > 0);
    });

    test(`${format}: stream_format sse events are SpeechAudioDeltaEvent then SpeechAudioDoneEvent`, async () => {
      assert.deepEqual(responseSchemaNames('/audio/speech', 'post', '200', 'text/event-stream'), ['CreateSpeechResponseStreamEvent']);
      const response = await postJson('/v1/audio/speech', { model: FIXTURE_MODELS.kokoro, voice: 'af_heart', input: 'Checking the contract.', response_format: format, stream_format: 'sse' });
      const events = await sseEvents(response);
      for (const event of events) assertEvent('CreateSpeechResponseStreamEvent', { 'speech.audio.delta': 'SpeechAudioDeltaEvent', 'speech.audio.done': 'SpeechAudioDoneEvent' }, event);
      assert.equal(events.at(-1)!.type, 'speech.audio.done');
      assert.ok(events.length > 1);
    });
  }

  test('the SDK reads the body OpenAI describes', async () => {
    const response = await client.audio.speech.create({ model: FIXTURE_MODELS.kokoro, voice: 'af_heart', input: 'Hello.', response_format: 'wav' });
    assert.equal(Buffer.from(await response.arrayBuffer()).toString('ascii', 0, 4), 'RIFF');
  });
});

/** verbose_json with both granularities, so segments and (where the model times words) words are present. */
const verboseFields = { response_format: 'verbose_json', 'timestamp_granularities[]': ['segment', 'word'] };

describe('POST /v1/audio/transcriptions', () => {
  for (const model of STT_MODELS) {
    test(`${model}: json is a CreateTranscriptionResponseJson`, async () => {
      assert.ok(responseSchemaNames('/audio/transcriptions', 'post', '200', 'application/json').includes('CreateTranscriptionResponseJson'));
      const body = await client.audio.transcriptions.create({ model, file: await toFile(sharedClip('spk1_snt1.wav'), 'a.wav'), response_format: 'json' });
      assertSchema('CreateTranscriptionResponseJson', body);
    });

    test(`${model}: verbose_json is a CreateTranscriptionResponseVerboseJson, segments and words included`, async () => {
      // The route's oneOf lists json, diarized_json and verbose_json; a verbose answer also
      // satisfies the json branch (only `text` is required), so it is checked against its own.
      assert.ok(responseSchemaNames('/audio/transcriptions', 'post', '200', 'application/json').includes('CreateTranscriptionResponseVerboseJson'));
      const response = await call('/v1/audio/transcriptions', { method: 'POST', body: form({ model, ...verboseFields }, { bytes: sharedClip('spk1_snt1.wav') }) });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { segments?: unknown[] };
      assertSchema('CreateTranscriptionResponseVerboseJson', body);
      assert.ok(body.segments && body.segments.length > 0, 'segments are there to be checked');
    });

    test(`${model}: stream events are TranscriptTextDeltaEvent then TranscriptTextDoneEvent`, async () => {
      assert.deepEqual(responseSchemaNames('/audio/transcriptions', 'post', '200', 'text/event-stream'), ['CreateTranscriptionResponseStreamEvent']);
      const response = await call('/v1/audio/transcriptions', { method: 'POST', body: form({ model, stream: 'true' }, { bytes: sharedClip('spk1_snt1.wav') }) });
      const events = await sseEvents(response);
      for (const event of events) {
        assertEvent('CreateTranscriptionResponseStreamEvent', { 'transcript.text.delta': 'TranscriptTextDeltaEvent', 'transcript.text.done': 'TranscriptTextDoneEvent' }, event);
      }
      assert.equal(events.at(-1)!.type, 'transcript.text.done');
    });
  }

  test('diarized_json is a CreateTranscriptionResponseDiarizedJson', async () => {
    assert.ok(responseSchemaNames('/audio/transcriptions', 'post', '200', 'application/json').includes('CreateTranscriptionResponseDiarizedJson'));
    const response = await call('/v1/audio/transcriptions', { method: 'POST', body: form({ model: FIXTURE_MODELS.sensevoice, response_format: 'diarized_json' }, { bytes: sharedClip('spk1_snt1.wav') }) });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { segments: unknown[] };
    assertSchema('CreateTranscriptionResponseDiarizedJson', body);
    assert.ok(body.segments.length > 0);
  });

  test('diarized stream events are TranscriptTextDeltaEvent, TranscriptTextSegmentEvent, then TranscriptTextDoneEvent', async () => {
    const fields = { model: FIXTURE_MODELS.sensevoice, response_format: 'diarized_json', stream: 'true', chunking_strategy: 'auto' };
    const events = await sseEvents(await call('/v1/audio/transcriptions', { method: 'POST', body: form(fields, { bytes: sharedClip('spk1_snt1.wav') }) }));
    const byType = { 'transcript.text.delta': 'TranscriptTextDeltaEvent', 'transcript.text.segment': 'TranscriptTextSegmentEvent', 'transcript.text.done': 'TranscriptTextDoneEvent' };
    for (const event of events) assertEvent('CreateTranscriptionResponseStreamEvent', byType, event);
    assert.ok(events.some((e) => e.type === 'transcript.text.segment'));
    assert.equal(events.at(-1)!.type, 'transcript.text.done');
  });

  test('the SDK\'s own verbose_json call satisfies the schema', async () => {
    const body = await client.audio.transcriptions.create({
      model: FIXTURE_MODELS.parakeet,
      file: await toFile(sharedClip('spk1_snt1.wav'), 'a.wav'),
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    assertSchema('CreateTranscriptionResponseVerboseJson', body);
  });
});

describe('POST /v1/audio/translations', () => {
  test('json is a CreateTranslationResponseJson', async () => {
    assert.ok(responseSchemaNames('/audio/translations', 'post', '200', 'application/json').includes('CreateTranslationResponseJson'));
    const body = await client.audio.translations.create({ model: FIXTURE_MODELS.whisper, file: await toFile(sharedClip('spk1_snt1.wav'), 'a.wav'), response_format: 'json' });
    assertSchema('CreateTranslationResponseJson', body);
  });

  test('verbose_json is a CreateTranslationResponseVerboseJson', async () => {
    assert.ok(responseSchemaNames('/audio/translations', 'post', '200', 'application/json').includes('CreateTranslationResponseVerboseJson'));
    const response = await call('/v1/audio/translations', { method: 'POST', body: form({ model: FIXTURE_MODELS.whisper, response_format: 'verbose_json' }, { bytes: sharedClip('spk1_snt1.wav') }) });
    assert.equal(response.status, 200);
    assertSchema('CreateTranslationResponseVerboseJson', await response.json());
  });
});

describe('errors', () => {
  const cases: { name: string; send: () => Promise<Response>; status: number }[] = [
    { name: 'a bad speech request (400)', send: () => postJson('/v1/audio/speech', { model: FIXTURE_MODELS.kokoro, input: '' }), status: 400 },
    { name: 'a bad transcription request (400)', send: () => call('/v1/audio/transcriptions', { method: 'POST', body: form({ model: FIXTURE_MODELS.sensevoice }) }), status: 400 },
    { name: 'an unknown model (404)', send: () => call('/v1/models/nothing-like-it'), status: 404 },
    { name: 'a wrong key (401)', send: () => fetch(`${base}/v1/models`, { headers: { authorization: 'Bearer wrong' } }), status: 401 },
  ];
  for (const { name, send, status } of cases) {
    test(`${name} is an ErrorResponse`, async () => {
      const response = await send();
      assert.equal(response.status, status);
      assertSchema('ErrorResponse', await response.json());
    });
  }

  test('a busy model is an ErrorResponse whose Retry-After is what OpenAI\'s rate-limit response declares', async () => {
    let release!: () => void;
    const held = pool.runTts(FIXTURE_MODELS.kokoro, () => new Promise<void>((resolve) => (release = resolve)));
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    try {
      const response = await postJson('/v1/audio/speech', { model: FIXTURE_MODELS.kokoro, voice: 'af_heart', input: 'Hello.' });
      assert.equal(response.status, 503);
      assertHeaderSchema('TooManyRequests', 'Retry-After', response.headers.get('retry-after'));
      assertSchema('ErrorResponse', await response.json());
    } finally {
      release();
      await held;
    }
  });
});
