import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { KOKORO_VOICES } from '../fixtures/kokoro.js';

test('GET /v1/models lists each installed model in OpenAI shape with its capabilities', async () => {
  const { app } = await testApp(await fixtureModelsDir());
  const body = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as {
    object: string;
    data: { id: string; object: string; owned_by: string; created: number; loaded: boolean; memory_bytes: number; queue_depth: number; capabilities: Record<string, unknown> }[];
  };
  assert.equal(body.object, 'list');
  // Aliases (OpenAI's model names) follow the models; they are checked in openai-names.test.ts.
  const byId = Object.fromEntries(body.data.filter((m) => !('alias_for' in m)).map((m) => [m.id, m]));
  assert.deepEqual(Object.keys(byId).sort(), Object.values(FIXTURE_MODELS).sort());
  assert.deepEqual(byId.sensevoice!.capabilities, { task: 'stt', family: 'sensevoice', languages: ['zh', 'en', 'ja', 'ko', 'yue'], translate: false, word_timestamps: true, sample_rate: 16000, max_segment_seconds: 30 });
  for (const model of body.data) {
    assert.equal(model.object, 'model');
    assert.equal(typeof model.created, 'number');
    assert.equal(model.loaded, false, 'nothing is loaded before first use');
  }
  const kokoroLanguages = ['en-us', 'en-gb', 'es', 'fr', 'hi', 'it', 'pt-br', 'ja', 'zh'];
  assert.deepEqual(byId.kokoro!.capabilities, {
    task: 'tts', family: 'kokoro', cloning: 'none', voices: [...KOKORO_VOICES], sample_rate: 24000, languages: kokoroLanguages, speed: 'native',
    controls: { language: { values: kokoroLanguages, default: 'en-us' } }, default_voice: 'af_heart',
  }, 'Kokoro v1.0: the languages its voices speak');
  assert.deepEqual(byId['kokoro-v0_19']!.capabilities, {
    task: 'tts', family: 'kokoro', cloning: 'none', voices: ['af', 'af_bella', 'bm_george'], sample_rate: 24000, languages: ['en-us'], speed: 'native',
    controls: { language: { values: ['en-us'], default: 'en-us' } }, default_voice: 'af',
  }, 'Kokoro v0.19: English only');
  assert.equal(byId.pocket!.capabilities.cloning, 'audio');
  assert.equal(byId.zipvoice!.capabilities.cloning, 'audio+transcript');
  assert.deepEqual(byId.pocket!.capabilities.voices, []);
  assert.equal(byId.pocket!.capabilities.default_voice, null, 'no preset, and no pack voice saved');

  await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'kokoro', input: 'Hi' } });
  const kokoro = (await app.inject({ method: 'GET', url: '/v1/models/kokoro' })).json() as { id: string; loaded: boolean };
  assert.equal(kokoro.loaded, true, 'loaded on first use');
  assertApiError(await app.inject({ method: 'GET', url: '/v1/models/no-such-model' }), 404, { code: 'model_not_found' });
  await app.close();
});
