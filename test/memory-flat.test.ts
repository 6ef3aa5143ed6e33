/**
 * Resident memory stays flat over repeated cloning requests (fixture Pocket, a real clip as
 * base64 `ref_audio`, a fixed seed): nothing a request holds — its clip, its audio, its engine
 * stream — outlives it.
 *
 * Measured without forcing garbage collection, so: a warm-up of 100 requests first (V8's heap
 * grows to its working size over the first ~60, which is not a leak), then RSS after each of
 * 200 requests, and the growth is the lowest RSS of the last 100 minus the lowest of the first
 * 100. The lows come right after major collections, so the ±25 MB saw-tooth of garbage between
 * them cancels out, while a leak of L per request still raises the second low by 100 × L.
 * Bound: 30 MB. Seen: −5 to +8 MB (6 runs); with 20 warm-up requests and last-minus-first
 * instead, 9 to 54 MB, all heap settling and saw-tooth. 30 MB catches a request that kept its
 * decoded clip and its output (≈ 0.4 MB), with room for a noisy machine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { testApp } from './helpers/app.js';
import { base64, sharedClip } from './helpers/audio.js';

const WARM_UP = 100;
const MEASURED = 200;
const BOUND_BYTES = 30 * 1024 * 1024;
const MB = 1024 * 1024;

test(`${MEASURED} cloning requests after a warm-up grow resident memory by less than ${BOUND_BYTES / MB} MB`, async () => {
  const { app } = await testApp(await fixtureModelsDir());
  const payload = { model: 'pocket', input: 'Hello there, this is a cloned voice speaking one sentence.', ref_audio: base64(sharedClip('spk1_snt1.wav')), seed: 7, response_format: 'wav' };
  const clone = async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload });
    assert.equal(response.statusCode, 200, response.body);
  };
  try {
    for (let i = 0; i < WARM_UP; i += 1) await clone();
    const rss: number[] = [];
    for (let i = 0; i < MEASURED; i += 1) {
      await clone();
      rss.push(process.memoryUsage().rss);
    }
    const half = MEASURED / 2;
    const grew = Math.min(...rss.slice(half)) - Math.min(...rss.slice(0, half));
    console.log(`resident memory: ${(rss[0]! / MB).toFixed(0)} MB after the warm-up, ${(rss.at(-1)! / MB).toFixed(0)} MB at the end; the low grew by ${(grew / MB).toFixed(1)} MB`);
    assert.ok(grew < BOUND_BYTES, `the lowest resident memory grew by ${(grew / MB).toFixed(1)} MB over ${MEASURED} requests`);
  } finally {
    await app.close();
  }
});
