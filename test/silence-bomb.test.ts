/**
 * Issue 12, item 9: minutes of AAC silence fit in a few KB (an hour in ~450 KB), pass the
 * bytes-per-second rule, and once took the event loop for seconds. Their work is bounded by the
 * duration cap, and decoding and segmenting run in the audio worker pool, not on the event loop.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { form } from './helpers/multipart.js';

const SILENCE_SECONDS = 300;
let silence: Buffer;
let app: FastifyInstance;
let cappedApp: FastifyInstance;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vocable-silence-'));
  const file = join(dir, 'silence.m4a');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', String(SILENCE_SECONDS), '-c:a', 'aac', file]);
  silence = readFileSync(file);
  rmSync(dir, { recursive: true, force: true });
  ({ app } = await testApp(await fixtureModelsDir()));
  ({ app: cappedApp } = await testApp(await fixtureModelsDir(), { maxAudioSeconds: 60 }));
});
after(async () => {
  await app.close();
  await cappedApp.close();
});

const upload = (to: FastifyInstance) =>
  to.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice', response_format: 'verbose_json' }, { bytes: silence, name: 'silence.m4a' }) as unknown as string });

describe('minutes of AAC silence in a few KB', () => {
  test('past the duration cap: a 400 that names the cap', async () => {
    assert.ok(silence.length < 64 * 1024, `${silence.length} bytes`);
    assertApiError(await upload(cappedApp), 400, { code: 'audio_too_long', param: 'file', message: /60 s/ });
  });

  test('within the cap: transcribed while the event loop stays mostly idle (the decoding runs in a worker)', async () => {
    await upload(app); // loads the model and starts the workers
    const before = performance.eventLoopUtilization();
    const response = await upload(app);
    const busy = performance.eventLoopUtilization(before);
    assert.equal(response.statusCode, 200);
    assert.equal((response.json() as { duration: number }).duration, SILENCE_SECONDS);
    assert.ok(busy.utilization < 0.5, `the event loop was busy ${(busy.utilization * 100).toFixed(0)}% of the time`);
  });
});
