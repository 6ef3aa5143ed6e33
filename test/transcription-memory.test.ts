/**
 * A 10-minute recording, made in the test from real clips and silence and encoded as mp3,
 * transcribed with the fixture SenseVoice model: the file is decoded in pieces and cut into
 * speech segments, so resident memory grows by far less than the decoded file would take.
 * Bound: 75 MB over the resident size after a warm-up request (30-51 MB seen); decoding the whole file at once
 * would hold 10 min × 24 kHz × 4 bytes = 58 MB of mono samples (twice that as the mp3
 * decoder's stereo), before any resampling copy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import { decodeAudio } from '../src/audio/decode.js';
import { encodeAudio } from '../src/audio/encode/index.js';
import { resample } from '../src/audio/resample.js';
import { testApp } from './helpers/app.js';
import { sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';

const MINUTES = 10;
const RATE = 24000;
const BOUND_BYTES = 75 * 1024 * 1024;

async function tenMinuteMp3(): Promise<{ mp3: Buffer; clips: number }> {
  const clips = await Promise.all(['spk1_snt1.wav', 'spk2_snt1.wav', 'spk1_snt2.wav'].map(async (n) => resample(await decodeAudio(sharedClip(n)), RATE).samples));
  const samples = new Float32Array(MINUTES * 60 * RATE);
  let at = RATE;
  let count = 0;
  while (at + RATE * 4 < samples.length) {
    const clip = clips[count % clips.length]!;
    samples.set(clip, at);
    at += clip.length + Math.round(1.5 * RATE);
    count += 1;
  }
  return { mp3: await encodeAudio({ samples, sampleRate: RATE }, 'mp3'), clips: count };
}

test(`a ${MINUTES}-minute file is transcribed within ${BOUND_BYTES / 1048576} MB of extra resident memory`, async () => {
  const { mp3, clips } = await tenMinuteMp3();
  const { app } = await testApp(await fixtureModelsDir());
  try {
    // Warm up on a short mp3 first: loading the model, the VAD and the WASM decoder is not what is measured.
    const short = await encodeAudio(resample(await decodeAudio(sharedClip('spk1_snt1.wav')), RATE), 'mp3');
    const warm = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice' }, { bytes: short, name: 'short.mp3' }) as unknown as string });
    assert.equal(warm.statusCode, 200, warm.body);
    const payload = form({ model: 'sensevoice', response_format: 'verbose_json' }, { bytes: mp3, name: 'long.mp3' }) as unknown as string;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const response = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as { duration: number; segments: { start: number; end: number; text: string }[] };
    assert.ok(Math.abs(body.duration - MINUTES * 60) < 1, `${body.duration} s`);
    assert.equal(body.segments.length, clips, 'one segment per clip');
    assert.ok(body.segments.every((s) => s.text === SENSEVOICE_TEXT));
    assert.ok(body.segments.at(-1)!.end > MINUTES * 60 - 10, 'timestamps reach the end of the file');
    const grew = peak - baseline;
    console.log(`# ${MINUTES}-minute mp3 (${(mp3.length / 1048576).toFixed(1)} MB): resident memory grew by ${(grew / 1048576).toFixed(1)} MB at peak`);
    assert.ok(grew < BOUND_BYTES, `resident memory grew by ${(grew / 1048576).toFixed(1)} MB`);
  } finally {
    await app.close();
  }
});
