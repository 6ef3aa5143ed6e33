/**
 * Speech-to-text off the event loop (issue 14): sherpa-onnx computes a recognizer's features in
 * `acceptWaveform`, synchronously, so each recognizer lives in a worker thread of its own. The
 * check counts calls on this thread's copy of sherpa-onnx: a transcription must make none, and
 * still give the model's text. Fixture weights (fixtures/sensevoice.ts).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import type { ModelPool } from '../src/engine/model-pool.js';
import type { ThreadedRecognizer } from '../src/engine/threaded-recognizer.js';
import { testApp } from './helpers/app.js';
import { sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';

const { OfflineStream, OfflineRecognizer } = createRequire(import.meta.url)('sherpa-onnx-node/non-streaming-asr.js') as {
  OfflineStream: { prototype: Record<string, (...args: unknown[]) => unknown> };
  OfflineRecognizer: { prototype: Record<string, (...args: unknown[]) => unknown> };
};

let app: FastifyInstance;
let pool: ModelPool;
const callsHere: string[] = [];
const originals: [Record<string, (...args: unknown[]) => unknown>, string, (...args: unknown[]) => unknown][] = [];

before(async () => {
  for (const [prototype, name] of [
    [OfflineStream.prototype, 'acceptWaveform'],
    [OfflineRecognizer.prototype, 'createStream'],
    [OfflineRecognizer.prototype, 'decode'],
    [OfflineRecognizer.prototype, 'decodeAsync'],
  ] as const) {
    const original = prototype[name]!;
    originals.push([prototype, name, original]);
    prototype[name] = function (this: unknown, ...args: unknown[]) {
      callsHere.push(name);
      return original.apply(this, args);
    };
  }
  ({ app, pool } = await testApp(await fixtureModelsDir()));
});

after(async () => {
  for (const [prototype, name, original] of originals) prototype[name] = original;
  await app.close();
});

test('a transcription computes nothing on the event loop\'s thread, and gives the model\'s text', async () => {
  const response = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice', response_format: 'json' }, { bytes: sharedClip('jfk.wav') }) as unknown as string });
  assert.equal(response.statusCode, 200, response.body);
  assert.ok(response.json().text.includes(SENSEVOICE_TEXT), response.body);
  assert.deepEqual(callsHere, [], 'sherpa-onnx recognizer calls made on the event loop');
});

test('an unloaded recognizer (its thread stopped) loads again on the next request', async () => {
  pool.unload('sensevoice');
  const response = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice', response_format: 'json' }, { bytes: sharedClip('jfk.wav') }) as unknown as string });
  assert.equal(response.statusCode, 200, response.body);
  assert.ok(response.json().text.includes(SENSEVOICE_TEXT), response.body);
});

test('a recognizer whose thread stops is loaded again for the next request, not left to fail it', async () => {
  await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice' }, { bytes: sharedClip('jfk.wav') }) as unknown as string });
  const { engines } = (pool as unknown as { slots: Map<string, { engines: Map<string, { engine: Promise<ThreadedRecognizer> }> }> }).slots.get('sensevoice')!;
  assert.ok(engines.size > 0, 'the model is loaded');
  // As a crash would: the thread ends under the pool's feet.
  const stopped = await Promise.all([...engines.values()].map(async (loaded) => new Promise<void>((resolve) => void loaded.engine.then((engine) => (engine.onStopped(resolve), engine.close())))));
  assert.equal(stopped.length > 0, true);
  const response = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice', response_format: 'json' }, { bytes: sharedClip('jfk.wav') }) as unknown as string });
  assert.equal(response.statusCode, 200, response.body);
  assert.ok(response.json().text.includes(SENSEVOICE_TEXT), response.body);
});
