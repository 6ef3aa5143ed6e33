/**
 * verbose_json's per-segment confidence fields: avg_logprob from the model's token
 * log-probabilities where it reports them (transducers), no_speech_prob from Silero VAD's
 * speech probability over the segment (computed from the model's weights, checked here against
 * real speech and non-speech), and X-Unmeasured-Fields naming what nothing measured.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { decodeAudio } from '../src/audio/decode.js';
import { encodeWav } from '../src/audio/wav.js';
import { resample } from '../src/audio/resample.js';
import type { App } from '../src/server/app.js';
import { meanSpeechProbability, speechProbabilities, loadSileroWeights } from '../src/transcription/speech-probability.js';
import { testApp } from './helpers/app.js';
import { sharedClip, tone } from './helpers/audio.js';
import { form } from './helpers/multipart.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), 'data');
let harness: App;
let vadModel: string;

before(async () => {
  harness = await testApp(await fixtureModelsDir());
  vadModel = harness.pool.vadModel!;
  assert.ok(vadModel, 'the fixture models include Silero VAD');
});
after(() => harness.app.close());

const speech16k = async (name: string) => resample(await decodeAudio(sharedClip(name)), 16000).samples;

interface Segment {
  avg_logprob: number;
  no_speech_prob: number;
}

async function verbose(model: string, bytes: Uint8Array = sharedClip('spk1_snt1.wav')) {
  const response = await harness.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model, response_format: 'verbose_json' }, { bytes }) as unknown as string });
  assert.equal(response.statusCode, 200, response.body);
  return { segments: (response.json() as { segments: Segment[] }).segments, unmeasured: response.headers['x-unmeasured-fields'] as string | undefined };
}

describe('Silero speech probability', () => {
  test('is high on real speech and low on silence and on a steady tone', async () => {
    assert.ok((await meanSpeechProbability(vadModel, await speech16k('spk1_snt2.wav'))) > 0.7);
    assert.ok((await meanSpeechProbability(vadModel, new Float32Array(16000 * 2))) < 0.05);
    assert.ok((await meanSpeechProbability(vadModel, tone(2, 16000, 440, 0.3).samples)) < 0.2);
  });

  test('rises where speech starts in a file that opens with silence', async () => {
    const clip = await speech16k('spk1_snt1.wav');
    const samples = new Float32Array(16000 + clip.length);
    samples.set(clip, 16000);
    const probabilities = await speechProbabilities(await loadSileroWeights(vadModel), samples);
    const firstSecond = probabilities.slice(0, 28);
    assert.ok(Math.max(...firstSecond) < 0.3, 'silence scores low');
    assert.ok(probabilities.slice(31).some((p) => p > 0.9), 'speech scores high');
  });

  test('matches ONNX Runtime\'s probabilities window by window (reference computed once, kept in test/data)', async () => {
    const reference = (JSON.parse(readFileSync(join(DATA, 'silero-v5-reference.json'), 'utf8')) as { probabilities: number[] }).probabilities;
    const clip = await speech16k('spk1_snt1.wav');
    const samples = new Float32Array(8000 + clip.length);
    samples.set(clip, 8000);
    const ours = await speechProbabilities(await loadSileroWeights(vadModel), samples);
    assert.equal(ours.length, reference.length);
    const worst = Math.max(...reference.map((p, i) => Math.abs(p - ours[i]!)));
    assert.ok(worst < 1e-4, `largest difference ${worst}`);
  });

  test('a file that is not Silero VAD is refused by name', async () => {
    const kokoro = join(await fixtureModelsDir(), FIXTURE_MODELS.kokoro, 'model.onnx');
    await assert.rejects(loadSileroWeights(kokoro), /not Silero VAD v5/);
  });
});

describe('verbose_json segments', () => {
  test('no_speech_prob is measured: a real, small probability on clear speech', async () => {
    const { segments, unmeasured } = await verbose(FIXTURE_MODELS.parakeet);
    assert.ok(segments.length > 0);
    for (const s of segments) assert.ok(s.no_speech_prob > 0 && s.no_speech_prob < 0.3, `no_speech_prob ${s.no_speech_prob}`);
    assert.equal(unmeasured, undefined, 'a transducer with the VAD measures both fields');
  });

  test('no_speech_prob rises when the same speech is buried in noise', async () => {
    const clip = await speech16k('spk1_snt1.wav');
    let seed = 1;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.14;
    const noisy = clip.map((x) => x + noise());
    const clean = (await verbose(FIXTURE_MODELS.parakeet, encodeWav({ samples: clip, sampleRate: 16000 }))).segments;
    const buried = (await verbose(FIXTURE_MODELS.parakeet, encodeWav({ samples: noisy, sampleRate: 16000 }))).segments;
    assert.ok(clean.length > 0 && buried.length > 0, 'the VAD finds speech in both');
    const mean = (segments: Segment[]) => segments.reduce((sum, s) => sum + s.no_speech_prob, 0) / segments.length;
    assert.ok(mean(buried) > mean(clean) + 0.05, `noisy ${mean(buried)} vs clean ${mean(clean)}`);
  });

  test('avg_logprob is the mean of a transducer\'s token log-probabilities', async () => {
    const { segments } = await verbose(FIXTURE_MODELS.parakeet);
    for (const s of segments) assert.ok(s.avg_logprob < 0, `avg_logprob ${s.avg_logprob}`);
  });

  test('a model without token log-probabilities says so in X-Unmeasured-Fields', async () => {
    const { segments, unmeasured } = await verbose(FIXTURE_MODELS.sensevoice);
    assert.equal(unmeasured, 'segments.avg_logprob');
    for (const s of segments) assert.equal(s.avg_logprob, 0);
  });

  test('without a VAD model no_speech_prob is named unmeasured too', async () => {
    const saved = harness.pool.vadModel;
    harness.pool.vadModel = undefined;
    try {
      const { segments, unmeasured } = await verbose(FIXTURE_MODELS.sensevoice);
      assert.equal(unmeasured, 'segments.avg_logprob, segments.no_speech_prob');
      for (const s of segments) assert.equal(s.no_speech_prob, 0);
    } finally {
      harness.pool.vadModel = saved;
    }
  });
});
