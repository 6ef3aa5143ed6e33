/**
 * KittenTTS and Piper (VITS) through the HTTP API, on fixture models (hand-set weights in each
 * family's real layout, run by the real sherpa-onnx engine), and their detection beside Kokoro.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { encodeWav } from '../src/audio/wav.js';
import { discoverModels } from '../src/engine/discovery.js';
import type { App } from '../src/server/app.js';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { KITTEN_SAMPLE_RATE, KITTEN_VOICES } from '../fixtures/kitten.js';
import { PIPER_SAMPLE_RATE } from '../fixtures/piper.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, parseWav, tone } from './helpers/audio.js';

const SHORT = 'Hi.';
const LONG = 'Hello there, and welcome to a much longer sentence than the first.';
const clip = base64(encodeWav(tone(2, 16000)));

let harness: App;
let app: FastifyInstance;

before(async () => {
  harness = await testApp(await fixtureModelsDir());
  app = harness.app;
});
after(() => app.close());

async function wav(body: Record<string, unknown>): Promise<{ sampleRate: number; samples: Int16Array }> {
  const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { response_format: 'wav', ...body } });
  assert.equal(response.statusCode, 200, response.body);
  assert.equal(response.headers['content-type'], 'audio/wav');
  return parseWav(response.rawPayload);
}

function peak(samples: Int16Array): number {
  return samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0);
}

async function capabilities(id: string): Promise<Record<string, unknown>> {
  const response = await app.inject({ method: 'GET', url: `/v1/models/${id}` });
  assert.equal(response.statusCode, 200, response.body);
  return (response.json() as { capabilities: Record<string, unknown> }).capabilities;
}

describe('KittenTTS', () => {
  const model = FIXTURE_MODELS.kitten;

  test('a preset voice gives a WAV at the model rate whose length grows with the text', async () => {
    const short = await wav({ model, input: SHORT, voice: KITTEN_VOICES[0] });
    const long = await wav({ model, input: LONG, voice: KITTEN_VOICES[0] });
    assert.equal(short.sampleRate, KITTEN_SAMPLE_RATE);
    assert.ok(short.samples.length > 0 && peak(short.samples) > 0, 'the short text is heard');
    assert.ok(long.samples.length > 2 * short.samples.length, `${long.samples.length} samples against ${short.samples.length}`);
  });

  test('two preset voices give different audio', async () => {
    const first = await wav({ model, input: LONG, voice: KITTEN_VOICES[0] });
    const second = await wav({ model, input: LONG, voice: KITTEN_VOICES[1] });
    assert.notDeepEqual(second.samples, first.samples);
    assert.ok(peak(second.samples) > peak(first.samples), 'the fixture voices differ in loudness');
  });

  test('speed changes the length', async () => {
    const normal = await wav({ model, input: LONG, voice: KITTEN_VOICES[0] });
    const fast = await wav({ model, input: LONG, voice: KITTEN_VOICES[0], speed: 2 });
    const ratio = fast.samples.length / normal.samples.length;
    assert.ok(ratio > 0.45 && ratio < 0.55, `speed 2 keeps ${ratio.toFixed(3)} of the length`);
  });

  test('a ref_audio clone request → 400: the model does not clone', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model, input: SHORT, ref_audio: clip } });
    assertApiError(response, 400, { param: 'ref_audio', code: 'cloning_not_supported', message: /'kitten' cannot clone.*expr-voice-2-m/ });
  });

  test('GET /v1/models/kitten lists its voices', async () => {
    assert.deepEqual(await capabilities(model), {
      task: 'tts', family: 'kitten', cloning: 'none', voices: [...KITTEN_VOICES], sample_rate: KITTEN_SAMPLE_RATE, languages: ['en-us'], speed: 'native', controls: {}, default_voice: KITTEN_VOICES[0],
    });
  });
});

describe('Piper (VITS)', () => {
  const model = FIXTURE_MODELS.piper;

  test('its one preset voice, named after the voice, gives a WAV whose length grows with the text', async () => {
    const short = await wav({ model, input: SHORT, voice: 'amy' });
    const long = await wav({ model, input: LONG, voice: 'amy' });
    assert.equal(short.sampleRate, PIPER_SAMPLE_RATE);
    assert.ok(short.samples.length > 0 && peak(short.samples) > 0, 'the short text is heard');
    assert.ok(long.samples.length > 2 * short.samples.length, `${long.samples.length} samples against ${short.samples.length}`);
  });

  test('speed changes the length', async () => {
    const normal = await wav({ model, input: LONG });
    const slow = await wav({ model, input: LONG, speed: 0.5 });
    const ratio = slow.samples.length / normal.samples.length;
    assert.ok(ratio > 1.9 && ratio < 2.1, `speed 0.5 makes ${ratio.toFixed(3)} times the length`);
  });

  test('another voice name → 400 naming its one voice', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model, input: SHORT, voice: 'nobody' } });
    assertApiError(response, 400, { param: 'voice', code: 'unknown_voice', message: /its preset voices: amy\b/ });
  });

  test('a ref_audio clone request → 400: the model does not clone', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model, input: SHORT, ref_audio: clip } });
    assertApiError(response, 400, { param: 'ref_audio', code: 'cloning_not_supported', message: /'piper' cannot clone.*amy/ });
  });

  test('GET /v1/models/piper lists its voice', async () => {
    assert.deepEqual(await capabilities(model), {
      task: 'tts', family: 'piper', cloning: 'none', voices: ['amy'], sample_rate: PIPER_SAMPLE_RATE, languages: ['en-us'], speed: 'native', controls: {}, default_voice: 'amy',
    });
  });
});

describe('detection beside Kokoro', () => {
  let dir: string;

  before(async () => {
    const fixtures = await fixtureModelsDir();
    dir = await mkdtemp(join(tmpdir(), 'vocable-kitten-piper-'));
    for (const id of [FIXTURE_MODELS.kokoro, FIXTURE_MODELS.kitten, FIXTURE_MODELS.piper]) {
      await cp(join(fixtures, id), join(dir, id), { recursive: true, verbatimSymlinks: true });
    }
    await cp(join(fixtures, FIXTURE_MODELS.kitten), join(dir, 'kitten-short-voices'), { recursive: true, verbatimSymlinks: true });
    await writeFile(join(dir, 'kitten-short-voices', 'voices.bin'), new Uint8Array(1024));
    // KittenTTS v0.8 releases name their model model.onnx, as Kokoro does.
    await cp(join(fixtures, FIXTURE_MODELS.kitten), join(dir, 'kitten-v0_8'), { recursive: true, verbatimSymlinks: true });
    await rename(join(dir, 'kitten-v0_8', 'model.fp16.onnx'), join(dir, 'kitten-v0_8', 'model.onnx'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('Kokoro, Kitten and Piper folders are each detected as their own family', async () => {
    const found = await discoverModels(dir);
    assert.deepEqual(found.models.map((m) => [m.id, m.family.id]), [['kitten', 'kitten'], ['kitten-v0_8', 'kitten'], ['kokoro', 'kokoro'], ['piper', 'piper']]);
  });

  // The engine would end the whole process on this voices.bin, so discovery refuses it first.
  test('a Kitten folder whose voices.bin does not fit the metadata is reported, not loaded', async () => {
    const found = await discoverModels(dir);
    const broken = found.broken.find((b) => b.id === 'kitten-short-voices');
    assert.ok(broken, 'reported as broken');
    assert.match(broken.reason, /KittenTTS model files cannot be read: voices\.bin holds 1024 bytes/);
  });
});
