/**
 * Voice checks for cloning: how many voices a reference clip holds (saving a voice, cloning from
 * ref_audio) and how alike a clone sounds to its reference, on the fixture speaker models (they
 * tell the test voices apart by pitch) and the fixture Pocket TTS model (which makes tones).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createParser } from 'eventsource-parser';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { decodeAudio } from '../src/audio/decode.js';
import { encodeWav } from '../src/audio/wav.js';
import { ModelPool } from '../src/engine/model-pool.js';
import { discoverModels } from '../src/engine/discovery.js';
import { voiceSimilarity } from '../src/speakers/speech-embedding.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { clipsWithSilence, sharedClip } from './helpers/audio.js';

let app: FastifyInstance;

/** Real clips one after another with 1 s of silence between them. */
async function clip(names: string[]): Promise<{ wav: Buffer; spans: [number, number][] }> {
  const { samples, spans } = await clipsWithSilence(names, 1);
  return { wav: encodeWav({ samples, sampleRate: 16000 }), spans };
}

const speak = (body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: FIXTURE_MODELS.pocket, input: 'Hello there, how are you?', response_format: 'wav', ...body } });

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir()));
});
after(() => app.close());

describe('voices in a reference clip', () => {
  test('saving a clip of one voice reports one speaker and no warning', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/voices', payload: { name: 'solo', audio: sharedClip('spk1_snt2.wav').toString('base64'), transcript: 'x' } });
    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(response.json().speaker_check, { speakers: 1 });
  });

  test('saving a clip of two voices warns and names the part to keep: the longest stretch of the voice that speaks most', async () => {
    const { wav, spans } = await clip(['spk1_snt1.wav', 'spk2_snt1.wav']);
    const response = await app.inject({ method: 'POST', url: '/v1/voices', payload: { name: 'duet', audio: wav.toString('base64'), transcript: 'x' } });
    assert.equal(response.statusCode, 201, response.body);
    const check = response.json().speaker_check as { speakers: number; keep: { start: number; end: number }; warning: string };
    assert.equal(check.speakers, 2);
    // Times count from the clip's first sound: spk1's clip (the longer voice) comes first.
    const firstSound = spans[0]![0] - 0.3;
    assert.ok(check.keep.start >= 0 && check.keep.end <= spans[0]![1] - firstSound + 0.3, JSON.stringify(check));
    assert.ok(check.keep.end - check.keep.start > 1.5, JSON.stringify(check));
    assert.match(check.warning, /2 voices/);
    assert.ok(check.warning.includes(`${check.keep.start}-${check.keep.end} s`));
  });

  test('cloning from ref_audio reports the voices in the clip in headers', async () => {
    const duet = await speak({ ref_audio: (await clip(['spk2_snt3.wav', 'spk1_snt3.wav'])).wav.toString('base64'), stream: false });
    assert.equal(duet.statusCode, 200, duet.body);
    assert.equal(duet.headers['x-reference-speakers'], '2');
    assert.match(String(duet.headers['x-reference-warning']), /2 voices.*Keep \d/);
    const solo = await speak({ ref_audio: sharedClip('spk2_snt3.wav').toString('base64'), stream: false });
    assert.equal(solo.headers['x-reference-speakers'], '1');
    assert.equal(solo.headers['x-reference-warning'], undefined);
  });
});

describe('speaker similarity', () => {
  test('the number is high for two clips of one voice and low for two voices', async () => {
    const pool = new ModelPool(await discoverModels(await fixtureModelsDir()), { numThreads: 1, maxQueue: 4, memoryBudgetBytes: 2 ** 32, idleUnloadSeconds: 0, logger: app.log });
    const audio = (name: string) => decodeAudio(sharedClip(name));
    const same = await voiceSimilarity(pool, FIXTURE_MODELS.embedding, await audio('spk1_snt1.wav'), await audio('spk1_snt3.wav'));
    const other = await voiceSimilarity(pool, FIXTURE_MODELS.embedding, await audio('spk1_snt1.wav'), await audio('spk2_snt3.wav'));
    pool.close();
    assert.ok(same > 0.5, `same voice: ${same}`);
    assert.ok(other < 0.5, `two voices: ${other}`);
  });

  test('asked for, it comes as X-Speaker-Similarity (stream: false) or in speech.audio.done (SSE)', async () => {
    const ref_audio = sharedClip('spk1_snt1.wav').toString('base64');
    const whole = await speak({ ref_audio, stream: false, speaker_similarity: true });
    assert.equal(whole.statusCode, 200, whole.body);
    const value = Number(whole.headers['x-speaker-similarity']);
    assert.ok(Number.isFinite(value) && value >= -1 && value <= 1, String(whole.headers['x-speaker-similarity']));

    const sse = await speak({ ref_audio, stream_format: 'sse', speaker_similarity: true });
    assert.equal(sse.statusCode, 200, sse.body);
    const events: { type: string; speaker_similarity?: number }[] = [];
    createParser({ onEvent: (e) => events.push(JSON.parse(e.data)) }).feed(sse.body);
    const done = events.at(-1)!;
    assert.equal(done.type, 'speech.audio.done');
    assert.equal(done.speaker_similarity, value, 'the same speech gives the same number');

    const unasked = await speak({ ref_audio, stream: false });
    assert.equal(unasked.headers['x-speaker-similarity'], undefined);
  });

  test('refused where it cannot be reported or measured', async () => {
    const ref_audio = sharedClip('spk1_snt1.wav').toString('base64');
    await assertApiError(await speak({ ref_audio, speaker_similarity: true }), 400, { param: 'speaker_similarity', message: /stream: false/ });
    await assertApiError(await speak({ model: FIXTURE_MODELS.kokoro, voice: 'af_heart', stream: false, speaker_similarity: true }), 400, { param: 'speaker_similarity', message: /ref_audio/ });

    const dir = await mkdtemp(join(tmpdir(), 'vocable-no-embedding-'));
    await symlink(join(await fixtureModelsDir(), FIXTURE_MODELS.pocket), join(dir, FIXTURE_MODELS.pocket));
    const bare = await testApp(dir);
    try {
      const response = await bare.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: FIXTURE_MODELS.pocket, input: 'Hello.', ref_audio, stream: false, speaker_similarity: true } });
      await assertApiError(response, 400, { code: 'similarity_unavailable', message: /vocable pull/ });
      // Without speaker models, cloning works and reports no check.
      const plain = await bare.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: FIXTURE_MODELS.pocket, input: 'Hello.', ref_audio, stream: false } });
      assert.equal(plain.statusCode, 200);
      assert.equal(plain.headers['x-reference-speakers'], undefined);
    } finally {
      await bare.app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
