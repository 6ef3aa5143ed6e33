/** Model folder discovery: family detection and file checks, on copies of the fixture models. */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { discoverModels } from '../src/engine/discovery.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { fixtureModelsDir } from '../fixtures/cache.js';

let dir: string;

before(async () => {
  const fixtures = await fixtureModelsDir();
  dir = await mkdtemp(join(tmpdir(), 'vocable-models-'));
  await cp(join(fixtures, 'kokoro'), join(dir, 'kokoro'), { recursive: true, verbatimSymlinks: true });
  await cp(join(fixtures, 'pocket'), join(dir, 'pocket-no-vocab'), { recursive: true });
  await rm(join(dir, 'pocket-no-vocab', 'vocab.json'));
  await cp(join(fixtures, 'zipvoice'), join(dir, 'zipvoice-empty-tokens'), { recursive: true, verbatimSymlinks: true });
  await writeFile(join(dir, 'zipvoice-empty-tokens', 'tokens.txt'), '');
  await mkdir(join(dir, 'notes'));
  await writeFile(join(dir, 'notes', 'readme.txt'), 'not a model');
  await writeFile(join(dir, 'stray-file.onnx'), 'x');
});
after(() => rm(dir, { recursive: true, force: true }));

test('each folder is detected by its files; broken ones are named with what is missing', async () => {
  const found = await discoverModels(dir);
  assert.deepEqual(found.models.map((m) => [m.id, m.family.id]), [['kokoro', 'kokoro']]);
  const reasons = Object.fromEntries(found.broken.map((b) => [b.id, b.reason]));
  assert.deepEqual(Object.keys(reasons).sort(), ['notes', 'pocket-no-vocab', 'zipvoice-empty-tokens']);
  assert.match(reasons['pocket-no-vocab']!, /Pocket TTS model is missing vocab\.json/);
  assert.match(reasons['zipvoice-empty-tokens']!, /ZipVoice model is missing tokens\.txt/);
  assert.match(reasons.notes!, /no known model family/);
});

test('a models directory that does not exist gives no models rather than a crash', async () => {
  assert.deepEqual(await discoverModels(join(dir, 'missing')), { models: [], broken: [] });
});

test('the server starts with the good folders and explains the broken ones', async () => {
  const { app } = await testApp(dir);
  const list = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as { object: string; data: { id: string; alias_for?: string }[] };
  assert.equal(list.object, 'list');
  assert.deepEqual(list.data.filter((m) => m.alias_for === undefined).map((m) => m.id), ['kokoro']);
  assert.ok(list.data.every((m) => m.alias_for === undefined || m.alias_for === 'kokoro'), 'OpenAI names stand for the one good model');
  const speech = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket-no-vocab', input: 'Hi', ref_audio: 'AAAA' } });
  assertApiError(speech, 503, { code: 'model_unavailable', message: /pocket-no-vocab.*missing vocab\.json/ });
  assert.equal((await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'kokoro', input: 'Hi' } })).statusCode, 200);
  await app.close();
});

test('a transducer folder without NeMo metadata is reported by name, not handed to the engine (which would exit the process)', async () => {
  const fixtures = await fixtureModelsDir();
  const zipformer = await mkdtemp(join(tmpdir(), 'vocable-zipformer-'));
  try {
    await cp(join(fixtures, 'parakeet'), join(zipformer, 'zipformer'), { recursive: true });
    // Any ONNX file without NeMo's keys stands in for an icefall Zipformer encoder.
    await cp(join(fixtures, 'moonshine', 'preprocess.onnx'), join(zipformer, 'zipformer', 'encoder.onnx'));
    await rm(join(zipformer, 'zipformer', 'encoder.int8.onnx'), { force: true });
    const found = await discoverModels(zipformer);
    assert.deepEqual(found.models, []);
    assert.equal(found.broken[0]?.id, 'zipformer');
    assert.match(found.broken[0]!.reason, /encoder\.onnx lacks the metadata vocab_size, .*only NeMo transducers \(Parakeet\) are supported/);
  } finally {
    await rm(zipformer, { recursive: true, force: true });
  }
});
