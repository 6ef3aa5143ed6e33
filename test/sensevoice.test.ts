/**
 * SenseVoice per-request languages on the fixture model, whose text depends on the language it
 * is asked for and on the scale of its input features (see fixtures/sensevoice.ts). sherpa-onnx
 * sets SenseVoice's feature options only when a recognizer is made, and `setConfig` resets them,
 * so a language must never reconfigure the recognizer that other requests use.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT, SENSEVOICE_TEXTS, SENSEVOICE_WRONG_FEATURES_TEXT } from '../fixtures/sensevoice.js';
import { decodeAudio } from '../src/audio/decode.js';
import { resample } from '../src/audio/resample.js';
import { sensevoice } from '../src/engine/families/sensevoice.js';
import type { ModelPool } from '../src/engine/model-pool.js';
import { sherpa } from '../src/native/sherpa.js';
import { testApp } from './helpers/app.js';
import { sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';

const clip = sharedClip('spk1_snt1.wav');
let app: FastifyInstance;
let pool: ModelPool;

async function transcribe(fields: Record<string, string> = {}, server = app): Promise<string> {
  const response = await server.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice', ...fields }, { bytes: clip }) as unknown as string });
  assert.equal(response.statusCode, 200, response.body);
  return (response.json() as { text: string }).text;
}

before(async () => {
  ({ app, pool } = await testApp(await fixtureModelsDir()));
});
after(() => app.close());

test('the fixture notices wrong features: a recognizer reconfigured with setConfig loses SenseVoice\'s feature options', async () => {
  // The engine behaviour the server works around, shown on the engine itself.
  const dir = join(await fixtureModelsDir(), 'sensevoice');
  const files = { model: join(dir, 'model.int8.onnx'), tokens: join(dir, 'tokens.txt') };
  const recognizer = await sherpa.OfflineRecognizer.createAsync(sensevoice.recognizerConfig(files, { task: 'transcribe' }, 1));
  const audio = resample(await decodeAudio(clip), 16000);
  const decode = async () => {
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples: audio.samples, sampleRate: 16000 });
    return (await recognizer.decodeAsync(stream)).text.trim();
  };
  assert.equal(await decode(), SENSEVOICE_TEXT);
  recognizer.setConfig(sensevoice.recognizerConfig(files, { task: 'transcribe' }, 1));
  assert.equal(await decode(), SENSEVOICE_WRONG_FEATURES_TEXT, 'the same config, re-applied, resets the features');
});

describe('per-request language', () => {
  test('each language reaches the model: its own text comes back', async () => {
    for (const [language, text] of Object.entries(SENSEVOICE_TEXTS)) {
      assert.equal(await transcribe({ language }), text, language);
    }
    assert.equal(await transcribe(), SENSEVOICE_TEXT, 'no language: the model detects it (the fixture reads English)');
  });

  test('the same audio gives the same text before and after requests in other languages', async () => {
    const before = await transcribe();
    assert.equal(before, SENSEVOICE_TEXT);
    for (const language of ['zh', 'ja', 'en', 'ko']) await transcribe({ language });
    assert.equal(await transcribe(), before, 'no request changed the features of the recognizer others use');
    assert.equal(await transcribe({ language: 'zh' }), SENSEVOICE_TEXTS.zh);
    assert.equal(await transcribe({ language: 'zh' }), SENSEVOICE_TEXTS.zh, 'a language asked for twice reuses its recognizer, unchanged');
  });

  test('one recognizer per language, all counted in the model\'s memory', async () => {
    const { app: fresh, pool: own } = await testApp(await fixtureModelsDir());
    try {
      const size = own.get('sensevoice').sizeBytes;
      await transcribe({}, fresh);
      assert.equal(own.state('sensevoice').memory_bytes, size);
      await transcribe({ language: 'zh' }, fresh);
      await transcribe({ language: 'ja' }, fresh);
      assert.equal(own.state('sensevoice').memory_bytes, 3 * size);
    } finally {
      await fresh.close();
    }
  });

  test('under a budget of one recognizer, languages take turns, least recently used unloaded, and texts stay right', async () => {
    const size = pool.get('sensevoice').sizeBytes;
    const { app: tight, pool: own } = await testApp(await fixtureModelsDir(), { memoryBudgetBytes: size + 1 });
    try {
      assert.equal(await transcribe({}, tight), SENSEVOICE_TEXT);
      assert.equal(await transcribe({ language: 'zh' }, tight), SENSEVOICE_TEXTS.zh);
      assert.equal(own.state('sensevoice').memory_bytes, size, 'the auto recognizer made room');
      assert.equal(await transcribe({}, tight), SENSEVOICE_TEXT);
      assert.equal(await transcribe({ language: 'ko' }, tight), SENSEVOICE_TEXTS.ko);
    } finally {
      await tight.close();
    }
  });
});
