/**
 * Whisper end to end: POST /v1/audio/transcriptions and /translations on the fixture Whisper
 * model (a tiny hand-set encoder and decoder in sherpa-onnx's Whisper layout, run by the real
 * engine; it emits one fixed text per segment for each task) and the real Silero VAD on real
 * recorded speech.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { WHISPER_DETECTED_LANGUAGE, WHISPER_FILES, WHISPER_LANGUAGES, WHISPER_TEXTS, WHISPER_TRANSCRIBE_TEXT, WHISPER_TRANSLATE_TEXT } from '../fixtures/whisper.js';
import { inspectModelFolder } from '../src/engine/discovery.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';

const model = FIXTURE_MODELS.whisper;
const jfk = sharedClip('jfk.wav');
let app: FastifyInstance;

interface Verbose {
  task: string;
  language: string;
  text: string;
  segments: { text: string }[];
}

function post(task: 'transcriptions' | 'translations', fields: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/v1/audio/${task}`, payload: form({ model, ...fields }, { bytes: jfk }) as unknown as string });
}

async function verbose(task: 'transcriptions' | 'translations', fields: Record<string, string> = {}): Promise<Verbose> {
  const response = await post(task, { ...fields, response_format: 'verbose_json' });
  assert.equal(response.statusCode, 200, response.body);
  return response.json() as Verbose;
}

/** The text of a file whose every speech segment reads `segmentText`, joined as the server joins them. */
function assertEverySegmentReads(text: string, segmentText: string): void {
  const segments = text.split(segmentText).length - 1;
  assert.ok(segments >= 2, `the VAD found ${segments} segments in jfk.wav: ${text}`);
  assert.equal(text, Array(segments).fill(segmentText).join(' '));
}

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir()));
});
after(() => app.close());

describe('tasks', () => {
  test('transcriptions → the transcribe text in every segment', async () => {
    const response = await post('transcriptions');
    assert.equal(response.statusCode, 200, response.body);
    assertEverySegmentReads(response.json<{ text: string }>().text, WHISPER_TRANSCRIBE_TEXT);
  });

  test('translations → the translate text, not the transcribe text', async () => {
    assert.notEqual(WHISPER_TRANSLATE_TEXT, WHISPER_TRANSCRIBE_TEXT);
    const response = await post('translations');
    assert.equal(response.statusCode, 200, response.body);
    assertEverySegmentReads(response.json<{ text: string }>().text, WHISPER_TRANSLATE_TEXT);
    const body = await verbose('translations');
    assert.equal(body.task, 'translate');
    assert.equal(body.language, 'en', 'a translation is English');
    assert.ok(body.segments.every((s) => s.text === WHISPER_TRANSLATE_TEXT), JSON.stringify(body.segments));
  });

  test('alternating tasks on the loaded model: each request gets its own task', async () => {
    for (const task of ['transcriptions', 'translations', 'transcriptions'] as const) {
      const body = await verbose(task);
      const expected = task === 'translations' ? WHISPER_TRANSLATE_TEXT : WHISPER_TRANSCRIBE_TEXT;
      assert.ok(body.segments.every((s) => s.text === expected), `${task}: ${JSON.stringify(body.segments)}`);
    }
  });
});

describe('language', () => {
  test('none given: verbose_json reports the language the model detected', async () => {
    const body = await verbose('transcriptions');
    assert.equal(body.task, 'transcribe');
    assert.equal(body.language, WHISPER_DETECTED_LANGUAGE);
    assert.ok(body.segments.every((s) => s.text === WHISPER_TRANSCRIBE_TEXT));
  });

  test('a language from the model\'s list reaches the model (its text changes) and is reported, in the model\'s spelling', async () => {
    const german = await verbose('transcriptions', { language: 'de' });
    assert.equal(german.language, 'de');
    assert.ok(german.segments.every((s) => s.text === WHISPER_TEXTS.de), german.text);
    const upper = await verbose('transcriptions', { language: 'ES' });
    assert.equal(upper.language, 'es');
    assert.ok(upper.segments.every((s) => s.text === WHISPER_TEXTS.es), upper.text);
    const detected = await verbose('transcriptions');
    assert.ok(detected.segments.every((s) => s.text === WHISPER_TRANSCRIBE_TEXT), 'the language of one request does not stay for the next');
  });

  test('a language the model does not know → 400 naming the ones it knows; the server carries on', async () => {
    // The engine would end the process on an unknown language, so the route must stop it first.
    assertApiError(await post('transcriptions', { language: 'fr' }), 400, { param: 'language', code: 'unsupported_language', message: /en, zh, de, es/ });
    assertApiError(await post('translations', { language: 'fr' }), 400, { param: 'language', code: 'unsupported_language' });
    assert.equal((await post('transcriptions')).statusCode, 200);
  });
});

test('GET /v1/models/whisper: translates, and lists the languages from the encoder\'s metadata', async () => {
  const response = await app.inject({ method: 'GET', url: `/v1/models/${model}` });
  assert.equal(response.statusCode, 200, response.body);
  assert.deepEqual(response.json<{ capabilities: unknown }>().capabilities, {
    task: 'stt',
    family: 'whisper',
    languages: [...WHISPER_LANGUAGES],
    translate: true,
    word_timestamps: false,
    sample_rate: 16000,
    max_segment_seconds: 30,
  });
});

test('release folders whose size has a hyphen (large-v3, distil-small.en) are found, int8 files first', async () => {
  const fixture = join(await fixtureModelsDir(), model);
  const dir = await mkdtemp(join(tmpdir(), 'vocable-whisper-'));
  try {
    for (const name of WHISPER_FILES) {
      const renamed = name.replace(/^tiny-/, 'distil-large-v3-');
      await copyFile(join(fixture, name), join(dir, renamed));
      if (renamed.endsWith('.onnx')) await copyFile(join(fixture, name), join(dir, renamed.replace(/\.onnx$/, '.int8.onnx')));
    }
    const found = await inspectModelFolder('whisper-distil-large-v3', dir);
    assert.ok('family' in found, 'reason' in found ? found.reason : '');
    assert.equal(found.family.id, 'whisper');
    assert.deepEqual(Object.fromEntries(Object.entries(found.files).map(([role, path]) => [role, basename(path)])), {
      encoder: 'distil-large-v3-encoder.int8.onnx',
      decoder: 'distil-large-v3-decoder.int8.onnx',
      tokens: 'distil-large-v3-tokens.txt',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
