/**
 * A Piper voice folder as releases before mid-2025 ship it, without `<voice>.onnx.json`:
 * sherpa-onnx needs only the model (its metadata), tokens.txt and espeak-ng-data/, so Vocable
 * loads it too, with what the model's metadata and file name tell.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { PIPER_SAMPLE_RATE, PIPER_VOICE, writePiperFixture } from '../fixtures/piper.js';
import { inspectModelFolder } from '../src/engine/discovery.js';
import { testApp } from './helpers/app.js';

let modelsDir: string;
let app: FastifyInstance;
const folder = () => join(modelsDir, 'amy');

before(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'vocable-piper-'));
  await writePiperFixture(folder());
  await rm(join(folder(), `${PIPER_VOICE}.onnx.json`));
  ({ app } = await testApp(modelsDir));
});
after(async () => {
  await app.close();
  await rm(modelsDir, { recursive: true, force: true });
});

test('discovered as Piper, the voice named from the file, the rest from the model\'s metadata', async () => {
  const model = await inspectModelFolder('amy', folder());
  assert.ok('task' in model && model.task === 'tts', `loads as text-to-speech: ${JSON.stringify(model)}`);
  assert.equal(model.family.id, 'piper');
  assert.equal(model.files.config, undefined);
  assert.deepEqual(model.capabilities.voices, ['amy']);
  assert.equal(model.capabilities.sample_rate, PIPER_SAMPLE_RATE);
  assert.deepEqual(model.capabilities.languages, ['en-us']);
});

test('speaks', async () => {
  const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'amy', voice: 'amy', input: 'Hello there, this is a test.', response_format: 'pcm', stream: false } });
  assert.equal(response.statusCode, 200, response.body);
  assert.ok(response.rawPayload.length / 2 / PIPER_SAMPLE_RATE > 0.5);
});

test('a folder with an .onnx but no tokens.txt is still not taken for a Piper voice', async () => {
  const dir = join(modelsDir, 'no-tokens');
  await writePiperFixture(dir);
  await rm(join(dir, 'tokens.txt'));
  const model = await inspectModelFolder('no-tokens', dir);
  assert.ok(!('task' in model), 'not a usable model');
  // Its metadata (comment=piper) names the family, so the reason says what the voice lacks.
  assert.match(model.reason, /Piper \(VITS\) model is missing tokens\.txt/);
});
