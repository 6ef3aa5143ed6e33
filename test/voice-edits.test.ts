/** Saved voices as the playground manages them: rename, hear the clip, and the catalogue's pull progress (fixture models). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import type { App } from '../src/server/app.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, parseWav, sharedClip } from './helpers/audio.js';

let harness: App;
before(async () => {
  harness = await testApp(await fixtureModelsDir());
});
after(() => harness.app.close());

const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => harness.app.inject({ method, url, ...(payload ? { payload } : {}) });

test('PATCH with a name renames a voice: the old name is gone, the clip and transcript move with it', async () => {
  await inject('POST', '/v1/voices', { name: 'before', audio: base64(sharedClip('spk1_snt1.wav')), transcript: 'Words.' });
  await inject('POST', '/v1/voices', { name: 'taken', audio: base64(sharedClip('spk1_snt2.wav')) });
  const renamed = await inject('PATCH', '/v1/voices/before', { name: 'after' });
  assert.equal(renamed.statusCode, 200, renamed.body);
  assert.deepEqual([(renamed.json() as { id: string }).id, (renamed.json() as { transcript: string }).transcript], ['after', 'Words.']);
  assertApiError(await inject('GET', '/v1/voices/before'), 404);
  assert.equal((await inject('POST', '/v1/audio/speech', { model: 'pocket', voice: 'after', input: 'Hi.', response_format: 'wav', stream: false })).statusCode, 200);
  assert.match(assertApiError(await inject('PATCH', '/v1/voices/after', { name: 'taken' }), 409, { code: 'voice_exists' }).message, /delete it first \(vocable voices rm taken, or DELETE \/v1\/voices\/taken\)/);
  assertApiError(await inject('PATCH', '/v1/voices/after', { name: 'af_heart' }), 409, { code: 'voice_exists' });
  assertApiError(await inject('PATCH', '/v1/voices/after', { name: '../x' }), 400, { param: 'name' });
  assertApiError(await inject('PATCH', '/v1/voices/nobody', { name: 'somebody' }), 404);
  assertApiError(await inject('PATCH', '/v1/voices/after', {}), 400);
  assert.equal((await inject('GET', '/v1/voices/after')).statusCode, 200, 'a refused rename keeps the voice');
});

test('GET /v1/voices/{name}/audio gives the saved clip as WAV', async () => {
  await inject('POST', '/v1/voices', { name: 'hear-me', audio: base64(sharedClip('spk1_snt1.wav')) });
  const response = await inject('GET', '/v1/voices/hear-me/audio');
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'audio/wav');
  const wav = parseWav(response.rawPayload);
  assert.equal(wav.sampleRate, 24000);
  const seconds = (await inject('GET', '/v1/voices/hear-me')).json() as { duration_seconds: number };
  assert.ok(Math.abs(wav.samples.length / 24000 - seconds.duration_seconds) < 0.02);
  assertApiError(await inject('GET', '/v1/voices/nobody/audio'), 404);
});

test('the catalogue says, per model, whether it is being pulled and how far (null when not)', async () => {
  const catalogue = (await inject('GET', '/v1/catalogue')).json() as { data: { pulling: boolean; progress: unknown }[] };
  assert.ok(catalogue.data.length > 0);
  for (const entry of catalogue.data) assert.deepEqual([entry.pulling, entry.progress], [false, null]);
});
