/**
 * Kokoro as sherpa-onnx releases it: v1.0 (multi-lingual: lexicons, metadata version 2) and
 * v0.19 (English only), on fixture folders of each (fixtures/kokoro.ts) run by the real engine
 * with Debian's espeak-ng data. For non-Chinese text the engine's `lang` is an espeak-ng voice:
 * a wrong one silently drops the text, which must never be a 200.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { KOKORO_SAMPLE_RATE } from '../fixtures/kokoro.js';
import { inspectModelFolder, type InstalledTtsModel } from '../src/engine/discovery.js';
import { kokoro } from '../src/engine/families/kokoro.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';

/** The languages Kokoro v1.0's voices speak (scripts/kokoro/v1.0/generate_voices_bin.py), and the `lang` the engine needs for each. */
const V1_LANGUAGES: Record<string, string> = { 'en-us': 'en-us', 'en-gb': 'en', es: 'es', fr: 'fr', hi: 'hi', it: 'it', 'pt-br': 'pt-br', ja: 'ja', zh: 'en-us' };
const LATIN = 'Hello world, this is a test of the voice.';

let app: FastifyInstance;
let modelsDir: string;

async function installed(id: string): Promise<InstalledTtsModel> {
  const model = await inspectModelFolder(id, join(modelsDir, id));
  assert.ok('task' in model && model.task === 'tts', `${id} loads: ${JSON.stringify(model)}`);
  return model;
}

function speech(body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: FIXTURE_MODELS.kokoro, voice: 'af_heart', response_format: 'pcm', ...body } });
}

/** Seconds of 16-bit PCM at the model's rate. */
const seconds = (pcm: Buffer) => pcm.length / 2 / KOKORO_SAMPLE_RATE;

before(async () => {
  modelsDir = await fixtureModelsDir();
  ({ app } = await testApp(modelsDir));
});
after(() => app.close());

describe('v1.0', () => {
  test('offers exactly the languages its voices speak, US English by default', async () => {
    const { capabilities } = await installed(FIXTURE_MODELS.kokoro);
    assert.deepEqual(capabilities.languages, Object.keys(V1_LANGUAGES));
    assert.equal(capabilities.controls.language!.default, 'en-us');
  });

  test('each language reaches the engine as the value it needs (an espeak-ng voice for non-Chinese text)', () => {
    const base = { text: 'x', speed: 1, speakerId: 0, controls: {} };
    for (const [language, lang] of Object.entries(V1_LANGUAGES)) {
      assert.deepEqual(kokoro.generateRequest({ ...base, language }).generationConfig!.extra, { lang }, language);
    }
  });

  test('lexicons go to the engine as upstream passes them: US English and Chinese, not the British duplicate', async () => {
    const model = await installed(FIXTURE_MODELS.kokoro);
    const config = kokoro.nativeModelConfig(model.files, model.capabilities).kokoro as { lexicon: string; lang?: string };
    const dir = join(modelsDir, FIXTURE_MODELS.kokoro);
    assert.deepEqual(config.lexicon.split(',').sort(), [join(dir, 'lexicon-us-en.txt'), join(dir, 'lexicon-zh.txt')]);
    assert.equal(config.lang, undefined);
  });

  for (const language of Object.keys(V1_LANGUAGES)) {
    test(`language=${language}: Latin text is read, not dropped`, async () => {
      const response = await speech({ input: LATIN, language });
      assert.equal(response.statusCode, 200, response.body);
      assert.ok(seconds(response.rawPayload) > 1, `${seconds(response.rawPayload)} s for ${LATIN.length} characters`);
    });
  }

  test('a voice reads its own language when the request names none; a named language wins', async () => {
    const french = { input: 'Bonjour tout le monde, ceci est un essai.', voice: 'ff_siwis', stream: false };
    const implied = (await speech(french)).rawPayload;
    assert.ok(implied.equals((await speech({ ...french, language: 'fr' })).rawPayload), 'ff_siwis reads French');
    assert.ok(!implied.equals((await speech({ ...french, language: 'en-us' })).rawPayload), 'language: en-us overrides the voice');
    const british = { input: LATIN, voice: 'bf_emma', stream: false };
    assert.ok((await speech(british)).rawPayload.equals((await speech({ ...british, language: 'en-gb' })).rawPayload), 'bf_emma reads British English');
  });

  test('Chinese text is read from the Chinese lexicon', async () => {
    const response = await speech({ input: '你好，世界。你好世界。', language: 'zh' });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(seconds(response.rawPayload) > 0.5);
  });

  describe('text the engine drops → 400 that says so, never a 200', () => {
    // The fixture's lexicon-zh.txt knows a handful of characters; the engine skips the others
    // ("Ignore OOV"), as the real one does with characters its lexicon lacks.
    const UNREADABLE = '猫狗鸟鱼虫马牛羊猪鸡鸭鹅';

    test('buffered', async () => {
      const error = assertApiError(await speech({ input: UNREADABLE, language: 'zh', stream: false }), 400, { param: 'input', code: 'text_not_spoken' });
      assert.match(error.message, /only 0\.00 s of audio for 12 letters.*as 'zh'.*en-us, en-gb/);
    });

    test('mostly dropped: a little read, most skipped', async () => {
      assertApiError(await speech({ input: `你好${UNREADABLE}${UNREADABLE}` }), 400, { param: 'input', code: 'text_not_spoken' });
    });

    test('streamed: the error comes before any audio', async () => {
      assertApiError(await speech({ input: UNREADABLE, language: 'zh' }), 400, { code: 'text_not_spoken' });
      assertApiError(await speech({ input: UNREADABLE, language: 'zh', stream_format: 'sse' }), 400, { code: 'text_not_spoken' });
    });

    test('a later sentence dropped fails the request too', async () => {
      const input = `${LATIN} ${'A sentence that the voice reads well enough. '.repeat(8)}${UNREADABLE}。`;
      assertApiError(await speech({ input, stream: false }), 400, { code: 'text_not_spoken' });
      // Streamed, the sentences before it are already sent: the stream breaks off, unfinished.
      await assert.rejects(speech({ input }).then((r) => r.rawPayload));
    });
  });
});

describe('v0.19', () => {
  test('English only: one language, its espeak-ng voice passed as lang, no lexicon', async () => {
    const model = await installed(FIXTURE_MODELS.kokoroV019);
    assert.deepEqual(model.capabilities.languages, ['en-us']);
    assert.deepEqual(model.capabilities.voices, ['af', 'af_bella', 'bm_george']);
    const config = kokoro.nativeModelConfig(model.files, model.capabilities).kokoro as { lexicon?: string; lang?: string };
    assert.equal(config.lexicon, undefined);
    assert.equal(config.lang, 'en-us');
  });

  test('speaks', async () => {
    const response = await speech({ model: FIXTURE_MODELS.kokoroV019, voice: 'af_bella', input: LATIN });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(seconds(response.rawPayload) > 1);
  });
});
