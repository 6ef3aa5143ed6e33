/**
 * Parakeet TDT v2 and v3 as upstream exports them: the encoder metadata names the model by url
 * and lists no languages, so Vocable must know them from the family. Fixture folders of both
 * releases (fixtures/parakeet.ts), run by the real engine behind the real app.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { PARAKEET_TEXT, writeParakeetFixture } from '../fixtures/parakeet.js';
import type { ModelPool } from '../src/engine/model-pool.js';
import { readOnnxMetadata } from '../src/engine/onnx-metadata.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';

let app: FastifyInstance;
let pool: ModelPool;
let modelsDir: string;
const clip = sharedClip('spk1_snt1.wav');

const transcribe = (model: string, fields: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model, ...fields }, { bytes: clip }) as unknown as string });

before(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'vocable-parakeet-'));
  await writeParakeetFixture(join(modelsDir, 'parakeet-v2'), 'v2');
  await writeParakeetFixture(join(modelsDir, 'parakeet-v3'), 'v3');
  await symlink(join(await fixtureModelsDir(), 'silero-vad'), join(modelsDir, 'silero-vad'));
  ({ app, pool } = await testApp(modelsDir));
});
after(async () => {
  await app.close();
  await rm(modelsDir, { recursive: true, force: true });
});

test('the fixtures carry no languages metadata, as the real exports do not', async () => {
  for (const version of ['v2', 'v3']) {
    const meta = await readOnnxMetadata(join(modelsDir, `parakeet-${version}`, 'encoder.int8.onnx'));
    assert.equal(meta.has('languages'), false);
    assert.equal(meta.get('url'), `https://huggingface.co/nvidia/parakeet-tdt-0.6b-${version}`);
  }
});

describe('v3: 25 European languages', () => {
  test('GET /v1/models lists them', async () => {
    const body = (await app.inject({ method: 'GET', url: '/v1/models/parakeet-v3' })).json<{ capabilities: { languages: string[] } }>();
    assert.equal(body.capabilities.languages.length, 25);
    for (const language of ['en', 'de', 'fr', 'es', 'it', 'pl', 'uk']) assert.ok(body.capabilities.languages.includes(language), language);
  });

  for (const language of ['de', 'fr']) {
    test(`language=${language} is accepted`, async () => {
      const response = await transcribe('parakeet-v3', { language });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json<{ text: string }>().text, PARAKEET_TEXT);
    });
  }

  test('languages share one recognizer: its config does not depend on them, so no second one is made', async () => {
    for (const language of ['de', 'fr', 'en']) assert.equal((await transcribe('parakeet-v3', { language })).statusCode, 200);
    assert.equal(pool.state('parakeet-v3').memory_bytes, pool.get('parakeet-v3').sizeBytes);
  });

  test('a language outside its list → 400 naming the list', async () => {
    assertApiError(await transcribe('parakeet-v3', { language: 'ja' }), 400, { param: 'language', code: 'unsupported_language', message: /it knows: .*\bde\b/ });
  });
});

describe('v2: English only', () => {
  test('lists English, accepts en, refuses de', async () => {
    const body = (await app.inject({ method: 'GET', url: '/v1/models/parakeet-v2' })).json<{ capabilities: { languages: string[] } }>();
    assert.deepEqual(body.capabilities.languages, ['en']);
    assert.equal((await transcribe('parakeet-v2', { language: 'en' })).statusCode, 200);
    assertApiError(await transcribe('parakeet-v2', { language: 'de' }), 400, { param: 'language', code: 'unsupported_language' });
  });
});
