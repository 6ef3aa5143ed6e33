/**
 * The real sherpa-onnx engine running the fixture models (tiny hand-set weights in each
 * family's real layout; they make tones, not speech): cloning reaches the engine, speed and
 * text length shape the output, presets differ, and the event loop stays free.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { base64, parseWav, sharedClip, stereo24BitWav } from './helpers/audio.js';
import { fixtureModelsDir } from '../fixtures/cache.js';

let app: FastifyInstance;
const SHORT = 'Hello there.';
const LONG = 'Hello there. This sentence is a good deal longer than the first one, so it takes longer to say.';

async function speak(body: Record<string, unknown>): Promise<Int16Array> {
  const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { response_format: 'wav', ...body } });
  assert.equal(response.statusCode, 200, response.body);
  const wav = parseWav(response.rawPayload);
  assert.equal(wav.sampleRate, 24000);
  assert.ok(wav.samples.some((s) => s !== 0), 'the audio is not silent');
  return wav.samples;
}

const same = (a: Int16Array, b: Int16Array) => a.length === b.length && a.every((v, i) => v === b[i]);

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir()));
});
after(() => app.close());

// Pocket samples noise like the real model: a fixed seed makes its output reproducible.
const families = [
  { model: 'pocket', transcript: { seed: 7 } },
  { model: 'zipvoice', transcript: { ref_text: 'Words spoken in the reference clip.' } },
] as const;

for (const { model, transcript } of families) {
  describe(`${model} cloning`, () => {
    test('clones from a real wav, an mp3 and a 24-bit stereo wav', async () => {
      const clips = [sharedClip('spk1_snt1.wav'), sharedClip('jfk.mp3'), await stereo24BitWav('spk2_snt2.wav')];
      for (const clip of clips) await speak({ model, input: SHORT, ref_audio: base64(clip), ...transcript });
    });

    test('the reference reaches the engine: another voice gives other audio, the same voice the same', async () => {
      const a = await speak({ model, input: SHORT, ref_audio: base64(sharedClip('spk1_snt1.wav')), ...transcript });
      const again = await speak({ model, input: SHORT, ref_audio: base64(sharedClip('spk1_snt1.wav')), ...transcript });
      const b = await speak({ model, input: SHORT, ref_audio: base64(sharedClip('spk2_snt1.wav')), ...transcript });
      assert.ok(same(a, again), 'deterministic for the same reference');
      assert.ok(!same(a, b), 'a different reference changes the output');
    });

    test('longer text gives longer audio', async () => {
      const ref_audio = base64(sharedClip('spk1_snt2.wav'));
      const short = await speak({ model, input: SHORT, ref_audio, ...transcript });
      const long = await speak({ model, input: LONG, ref_audio, ...transcript });
      assert.ok(long.length > short.length * 1.5, `${long.length} vs ${short.length} samples`);
    });
  });
}

describe('speed', () => {
  const ref_audio = base64(sharedClip('spk1_snt3.wav'));
  for (const body of [
    { model: 'kokoro', voice: 'af_heart' },
    { model: 'zipvoice', ref_audio, ref_text: 'Words spoken in the reference clip.' },
  ]) {
    test(`${body.model}: speed 2 makes the audio shorter than speed 1`, async () => {
      const normal = await speak({ ...body, input: LONG, speed: 1 });
      const fast = await speak({ ...body, input: LONG, speed: 2 });
      const ratio = fast.length / normal.length;
      assert.ok(ratio < 0.75, `speed 2 kept ${(ratio * 100).toFixed(0)}% of the length`);
    });
  }
});

/** Zero crossings per second: twice the frequency of a tone, about the pitch of voiced speech. */
function crossingsPerSecond(samples: Int16Array, sampleRate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  return crossings / (samples.length / sampleRate);
}

test('pocket: its engine cannot change speed, so its audio is time-stretched, pitch kept', async () => {
  const clip = base64(sharedClip('spk1_snt3.wav'));
  const normal = await speak({ model: 'pocket', input: LONG, ref_audio: clip, seed: 7 });
  const fast = await speak({ model: 'pocket', input: LONG, ref_audio: clip, seed: 7, speed: 2 });
  const slow = await speak({ model: 'pocket', input: LONG, ref_audio: clip, seed: 7, speed: 0.5 });
  const ratio = (samples: Int16Array) => samples.length / normal.length;
  assert.ok(Math.abs(ratio(fast) - 0.5) < 0.08, `speed 2 takes half the time (${ratio(fast).toFixed(3)})`);
  assert.ok(Math.abs(ratio(slow) - 2) < 0.2, `speed 0.5 takes twice the time (${ratio(slow).toFixed(3)})`);
  const pitch = (samples: Int16Array) => crossingsPerSecond(samples, 24000) / crossingsPerSecond(normal, 24000);
  assert.ok(Math.abs(pitch(fast) - 1) < 0.15, `the pitch is kept at speed 2 (${pitch(fast).toFixed(3)}; a plain resample gives 2)`);
  assert.ok(Math.abs(pitch(slow) - 1) < 0.15, `the pitch is kept at speed 0.5 (${pitch(slow).toFixed(3)})`);
});

test('GET /v1/models says which models change speed natively', async () => {
  const { data } = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as { data: { id: string; capabilities: { speed?: string } }[] };
  const speed = (id: string) => data.find((m) => m.id === id)?.capabilities.speed;
  assert.equal(speed('pocket'), 'time_stretch');
  assert.equal(speed('kokoro'), 'native');
});

test('Kokoro presets: each voice is its own', async () => {
  const heart = await speak({ model: 'kokoro', input: SHORT, voice: 'af_heart' });
  const adam = await speak({ model: 'kokoro', input: SHORT, voice: 'am_adam' });
  assert.equal(heart.length, adam.length);
  assert.ok(!same(heart, adam));
});

test('the event loop stays free while audio is made', async () => {
  const input = Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} keeps the engine busy for a while.`).join(' ');
  const started = performance.now();
  let done = false;
  const synthesis = app
    .inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', input, ref_audio: base64(sharedClip('spk1_snt4.wav')) } })
    .finally(() => (done = true));
  const healthTimes: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const health = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200);
    healthTimes.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const synthesisMs = performance.now() - started;
  assert.equal((await synthesis).statusCode, 200);
  const slowest = Math.max(...healthTimes);
  assert.ok(healthTimes.length >= 5, `only ${healthTimes.length} health answers during a ${synthesisMs.toFixed(0)} ms synthesis`);
  assert.ok(slowest < synthesisMs / 4, `slowest health answer ${slowest.toFixed(0)} ms during a ${synthesisMs.toFixed(0)} ms synthesis`);
});
