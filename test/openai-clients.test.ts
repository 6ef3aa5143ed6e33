/**
 * What OpenAI's clients expect beyond the happy path, through the official `openai` SDK against a
 * listening server on fixture models: speech streams by default, a busy server says when to come
 * back, fields that change nothing are named, and the SSE `done` event carries usage.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createParser } from 'eventsource-parser';
import type { FastifyInstance } from 'fastify';
import OpenAI, { toFile } from 'openai';
import { fixtureModelsDir } from '../fixtures/cache.js';
import type { ModelPool } from '../src/engine/model-pool.js';
import { testApp } from './helpers/app.js';
import { sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';

const SENTENCES = (n: number) => Array.from({ length: n }, (_, i) => `This is sentence number ${i + 1} of the test.`).join(' ');

let app: FastifyInstance;
let pool: ModelPool;
let base: string;
let client: OpenAI;
/** Requests the server has received, by URL, to see the SDK's retries. */
const received: string[] = [];

before(async () => {
  ({ app, pool } = await testApp(await fixtureModelsDir(), { maxQueue: 0 }));
  app.addHook('onRequest', async (request) => void received.push(request.url));
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  client = new OpenAI({ apiKey: 'unused', baseURL: `${base}/v1`, maxRetries: 0 });
});
after(() => app.close());

const speak = (body: object) => fetch(`${base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('speech streams by default, as OpenAI\'s does', () => {
  for (const format of ['wav', 'pcm', 'mp3', 'opus', 'flac'] as const) {
    test(`${format}: chunked, in several pieces, without stream or stream_format`, async () => {
      const response = await speak({ model: 'kokoro', voice: 'af_heart', input: SENTENCES(4), response_format: format });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('transfer-encoding'), 'chunked');
      assert.equal(response.headers.get('content-length'), null);
      let parts = 0;
      for await (const _ of response.body!) parts += 1;
      assert.ok(parts > 1, `${parts} pieces`);
    });
  }

  test('wav streamed by default has the streaming header ("unknown length")', async () => {
    const bytes = Buffer.from(await (await speak({ model: 'kokoro', voice: 'af_heart', input: SENTENCES(2), response_format: 'wav' })).arrayBuffer());
    assert.equal(bytes.readUInt32LE(40), 0xffffffff);
  });

  test('stream: false asks for one whole file with exact sizes', async () => {
    const response = await speak({ model: 'kokoro', voice: 'af_heart', input: SENTENCES(2), response_format: 'wav', stream: false });
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(response.headers.get('content-length'), String(bytes.length));
    assert.equal(bytes.readUInt32LE(40), bytes.length - 44);
  });

  test('the SDK gets the streamed audio as it comes', async () => {
    const response = await client.audio.speech.create({ model: 'kokoro', voice: 'af_heart', input: SENTENCES(6), response_format: 'pcm' });
    let parts = 0;
    let bytes = 0;
    for await (const part of response.body!) {
      parts += 1;
      bytes += (part as Uint8Array).length;
    }
    assert.ok(parts > 1 && bytes > 24000, `${parts} parts, ${bytes} bytes`);
  });

  test('a failure before the first byte is still a clean OpenAI error with its status', async () => {
    await assert.rejects(
      client.audio.speech.create({ model: 'kokoro', voice: 'nobody', input: 'No such voice.', response_format: 'mp3' }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && (error.error as { param?: string }).param === 'voice',
    );
  });
});

describe('speech.audio.done', () => {
  test('carries usage: characters in, milliseconds of audio out', async () => {
    const input = SENTENCES(2);
    const response = await speak({ model: 'kokoro', voice: 'af_heart', input, response_format: 'pcm', stream_format: 'sse' });
    const events: { type: string; audio?: string; usage?: { input_tokens: number; output_tokens: number; total_tokens: number } }[] = [];
    const parser = createParser({ onEvent: (event) => events.push(JSON.parse(event.data)) });
    const decoder = new TextDecoder();
    for await (const part of response.body!) parser.feed(decoder.decode(part, { stream: true }));
    const done = events.at(-1)!;
    assert.equal(done.type, 'speech.audio.done');
    const pcmBytes = events.slice(0, -1).reduce((sum, e) => sum + Buffer.from(e.audio!, 'base64').length, 0);
    assert.deepEqual(done.usage, { input_tokens: input.length, output_tokens: Math.round((pcmBytes / 2 / 24000) * 1000), total_tokens: input.length + Math.round((pcmBytes / 2 / 24000) * 1000) });
  });
});

describe('transcription fields Vocable does not honour', () => {
  test('are named in X-Ignored-Fields; honoured ones are not', async () => {
    const body = form(
      {
        model: 'sensevoice',
        prompt: 'Names: Vocable.',
        'include[]': 'logprobs',
        chunking_strategy: 'auto',
        stream_options: 'none',
        language: 'en',
        response_format: 'json',
        'timestamp_granularities[]': 'segment',
      },
      { bytes: sharedClip('spk1_snt1.wav') },
    );
    const response = await fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body });
    assert.equal(response.status, 200);
    const ignored = String(response.headers.get('x-ignored-fields')).split(', ').sort();
    assert.deepEqual(ignored, ['chunking_strategy', 'include[]', 'prompt', 'stream_options']);
  });

  test('a request with only honoured fields has no X-Ignored-Fields', async () => {
    const response = await fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body: form({ model: 'sensevoice', response_format: 'text' }, { bytes: sharedClip('spk1_snt1.wav') }) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-ignored-fields'), null);
  });

  test('the SDK\'s include and chunking_strategy are accepted and reported', async () => {
    const response = await client.audio.transcriptions
      .create({ model: 'sensevoice', file: await toFile(sharedClip('spk1_snt1.wav'), 'a.wav'), include: ['logprobs'], chunking_strategy: 'auto' })
      .withResponse();
    assert.match(String(response.response.headers.get('x-ignored-fields')), /include\[\].*chunking_strategy|chunking_strategy.*include\[\]/);
  });
});

describe('a busy server', () => {
  test('answers 503 with Retry-After, and the SDK\'s own retry then gets through', async () => {
    let release!: () => void;
    const held = pool.runTts('kokoro', () => new Promise<void>((resolve) => (release = resolve)));
    while (!release) await new Promise((resolve) => setImmediate(resolve));

    const refused = await speak({ model: 'kokoro', voice: 'af_heart', input: 'Hello.', response_format: 'wav' });
    assert.equal(refused.status, 503);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${refused.headers.get('retry-after')}`);
    // The SDKs read retry-after-ms first: the finer wait, at most the whole seconds of Retry-After.
    const retryAfterMs = Number(refused.headers.get('retry-after-ms'));
    assert.ok(retryAfterMs > 0 && retryAfterMs <= retryAfter * 1000, `retry-after-ms: ${refused.headers.get('retry-after-ms')}`);
    await refused.arrayBuffer();

    const retrying = new OpenAI({ apiKey: 'unused', baseURL: `${base}/v1`, maxRetries: 2 });
    received.length = 0;
    const answer = retrying.audio.speech.create({ model: 'kokoro', voice: 'af_heart', input: 'Hello.', response_format: 'wav' });
    // The first try is refused; the model is freed while the SDK waits as retry-after-ms says.
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    release();
    await held;
    const bytes = Buffer.from(await (await answer).arrayBuffer());
    assert.equal(bytes.toString('ascii', 0, 4), 'RIFF');
    assert.equal(received.filter((url) => url === '/v1/audio/speech').length, 2, 'one refusal, one retry');
  });
});
