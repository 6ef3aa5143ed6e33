/**
 * The ten most likely API mistakes get one sentence that names the field the client sent, once,
 * in plain words; formats are case-insensitive; a failed request is logged with its code.
 * Fixture models (fixture weights: tones, not speech).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';
import { startServer } from './helpers/cli.js';

let app: FastifyInstance;
const logLines: string[] = [];
before(async () => {
  ({ app } = await testApp(await fixtureModelsDir(), { logLevel: 'info' }, { logDestination: { write: (line) => void logLines.push(line) } }));
});
after(() => app.close());

const speech = (payload: object) => app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { stream: false, ...payload } });

/** The field named exactly once, and none of zod's own wording. */
function assertPlain(message: string, field: string): void {
  assert.equal(message.split(field).length - 1, 1, `'${field}' named once in: ${message}`);
  assert.doesNotMatch(message, /Invalid input|expected \w+, received|^\w+: /, message);
}

test('a missing or mistyped field is named once, in plain words', async () => {
  const noModel = assertApiError(await speech({ input: 'Hi', voice: 'af_heart' }), 400, { param: 'model' });
  assert.equal(noModel.message, 'model is required');

  const speed = assertApiError(await speech({ model: 'kokoro', input: 'Hi', speed: 'fast' }), 400, { param: 'speed' });
  assert.equal(speed.message, 'speed must be a number, not the text "fast"');

  const input = assertApiError(await speech({ model: 'kokoro', input: 42 }), 400, { param: 'input' });
  assert.equal(input.message, 'input must be text, not 42');

  for (const error of [noModel, speed, input]) assertPlain(error.message, error.param!);
});

test("a saved voice's clip is called audio, the field the client sent, not ref_audio", async () => {
  const error = assertApiError(await app.inject({ method: 'POST', url: '/v1/voices', payload: { name: 'bad', audio: '!!not base64!!' } }), 400, { param: 'audio', code: 'invalid_base64' });
  assert.match(error.message, /^audio is not valid base64/);
  assert.doesNotMatch(error.message, /ref_audio/);
});

test('a transcription field with its own rule says it once', async () => {
  const payload = form({ model: 'sensevoice', temperature: 'hot' }, { name: 'a.wav', bytes: sharedClip('spk1_snt1.wav') }) as unknown as string;
  const error = assertApiError(await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload }), 400, { param: 'temperature' });
  assertPlain(error.message, 'temperature');
});

test('response_format is case-insensitive on speech and transcription', async () => {
  const wav = await speech({ model: 'kokoro', input: 'Hi there.', voice: 'af_heart', response_format: 'WAV' });
  assert.equal(wav.statusCode, 200, wav.body);
  assert.match(String(wav.headers['content-type']), /audio\/wav/);
  const payload = form({ model: 'sensevoice', response_format: 'SRT' }, { name: 'a.wav', bytes: sharedClip('spk1_snt1.wav') }) as unknown as string;
  const srt = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload });
  assert.equal(srt.statusCode, 200, srt.body);
  assert.match(srt.body, /^1\n00:00:/);
});

test('a failed request is logged with its code, message and request id', async () => {
  logLines.length = 0;
  const response = await speech({ model: 'kokoro', input: 'Hi', speed: 'fast' });
  const requestId = String(response.headers['x-request-id']);
  const entries = logLines.map((line) => JSON.parse(line) as { reqId?: string; code?: string; msg?: string });
  const entry = entries.find((e) => e.reqId === requestId && e.code === 'invalid_type');
  assert.ok(entry, `a log line with the code for request ${requestId}: ${logLines.join('')}`);
  assert.match(entry.msg ?? '', /speed must be a number/);
});

test('the start-up lines give the playground URL', async () => {
  const server = await startServer(['--models-dir', await fixtureModelsDir(), '--offline', '--log-format', 'json']);
  try {
    const line = new RegExp(`playground: ${server.url.replace(/[.]/g, '\\.')}/`);
    // The line follows the "listening" line the helper waits for.
    for (let i = 0; i < 100 && !line.test(server.log()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(server.log(), line);
  } finally {
    await server.stop();
  }
});
