/** Nothing stays on disk after a speech request, whatever its outcome (fixture models). */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { encodeWav } from '../src/audio/wav.js';
import { testApp } from './helpers/app.js';
import { base64, sharedClip, tone } from './helpers/audio.js';
import { fixtureModelsDir } from '../fixtures/cache.js';

let app: FastifyInstance;
let modelsDir: string;
let scratchTmp: string;
let dataDir: string;
const originalTmp = process.env.TMPDIR;

async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

before(async () => {
  modelsDir = await fixtureModelsDir();
  dataDir = await mkdtemp(join(tmpdir(), 'vocable-data-'));
  scratchTmp = await mkdtemp(join(tmpdir(), 'vocable-tmp-'));
  process.env.TMPDIR = scratchTmp;
  ({ app } = await testApp(modelsDir, { maxRefAudioBytes: 256 * 1024, dataDir }));
});
after(async () => {
  await app.close();
  process.env.TMPDIR = originalTmp;
  await rm(scratchTmp, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

test('no temp or model-folder file appears after successes and each kind of failure', async () => {
  const modelsBefore = await tree(modelsDir);
  const clip = base64(sharedClip('spk2_snt1.wav'));
  const requests: [Record<string, unknown>, number][] = [
    [{ model: 'pocket', input: 'Hello there.', ref_audio: clip }, 200],
    [{ model: 'zipvoice', input: 'Hello there.', ref_audio: clip, ref_text: 'Words.' }, 200],
    [{ model: 'kokoro', input: 'Hello there.', voice: 'af_heart', response_format: 'pcm' }, 200],
    [{ model: 'pocket', input: 'Hi', ref_audio: 'not base64 at all!' }, 400],
    [{ model: 'pocket', input: 'Hi', ref_audio: base64(Buffer.from('plain text, not audio')) }, 400],
    [{ model: 'pocket', input: 'Hi', ref_audio: base64(encodeWav(tone(0.3, 16000))) }, 400],
    [{ model: 'zipvoice', input: 'Hi', ref_audio: clip }, 400],
    [{ model: 'pocket', input: 'Hi', ref_audio: base64(Buffer.alloc(300 * 1024, 7)) }, 413],
  ];
  for (const [payload, status] of requests) {
    const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload });
    assert.equal(response.statusCode, status, response.body);
  }
  // tsx's compile cache (tsx-<uid>) appears when the worker pool's threads load the sources through
  // tsx, as they do under the tests only: the built server has none.
  assert.deepEqual((await readdir(scratchTmp)).filter((name) => !/^tsx-\d+$/.test(name)), [], 'the temp folder is empty');
  assert.deepEqual(await tree(modelsDir), modelsBefore, 'the models folder is unchanged');
  assert.deepEqual(await tree(dataDir), ['voices'], 'nothing saved in the data folder');
});
