/** Saved voices: the /v1/voices API, speech by saved name, the store's guarantees, and local ref_audio paths (fixture models). */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import { encodeWav } from '../src/audio/wav.js';
import type { App } from '../src/server/app.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, parseWav, sharedClip, SHARED_AUDIO, tone } from './helpers/audio.js';

let dataDir: string;
let harness: App;

async function startApp(overrides = {}): Promise<void> {
  harness = await testApp(await fixtureModelsDir(), { dataDir, ...overrides });
}

function upload(fields: Record<string, string>, file?: Buffer) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([new Uint8Array(file)]), 'clip.wav');
  return harness.app.inject({ method: 'POST', url: '/v1/voices', payload: form as unknown as string });
}

const saveJson = (body: Record<string, unknown>) => harness.app.inject({ method: 'POST', url: '/v1/voices', payload: body });
const speech = (body: Record<string, unknown>) => harness.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { response_format: 'wav', ...body } });

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vocable-voices-'));
  await startApp();
});
after(async () => {
  await harness.app.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('saving and managing voices', () => {
  test('multipart upload: normalised to 24 kHz mono, trimmed, listed, fetched', async () => {
    const response = await upload({ name: 'alice', transcript: ' Hello from Alice. ' }, sharedClip('spk1_snt1.wav'));
    assert.equal(response.statusCode, 201, response.body);
    // The save also reports the voices heard in the clip (test/voice-checks.test.ts); the stored voice is the rest.
    const { speaker_check: _, ...voice } = response.json() as { id: string; object: string; sample_rate: number; duration_seconds: number; transcript: string; speaker_check?: unknown };
    assert.equal(voice.id, 'alice');
    assert.equal(voice.object, 'voice');
    assert.equal(voice.sample_rate, 24000);
    assert.equal(voice.transcript, 'Hello from Alice.');
    assert.ok(voice.duration_seconds > 1 && voice.duration_seconds <= 2.88, `${voice.duration_seconds} s after trimming`);
    const list = (await harness.app.inject({ method: 'GET', url: '/v1/voices' })).json() as { object: string; data: { id: string }[] };
    assert.equal(list.object, 'list');
    assert.ok(list.data.some((v) => v.id === 'alice'));
    assert.deepEqual((await harness.app.inject({ method: 'GET', url: '/v1/voices/alice' })).json(), voice);
  });

  test('JSON with base64 audio and no transcript: the installed speech-to-text model fills it in', async () => {
    const response = await saveJson({ name: 'bob', audio: base64(sharedClip('spk2_snt1.wav')), model: 'pocket' });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal((response.json() as { transcript: string }).transcript, SENSEVOICE_TEXT, 'the fixture SenseVoice model\'s text');
    assert.equal((response.json() as { model: string }).model, 'pocket');
  });

  test('PATCH edits the transcript; DELETE removes the voice', async () => {
    await saveJson({ name: 'carol', audio: base64(sharedClip('spk1_snt2.wav')) });
    const patched = await harness.app.inject({ method: 'PATCH', url: '/v1/voices/carol', payload: { transcript: 'New words.' } });
    assert.equal((patched.json() as { transcript: string }).transcript, 'New words.');
    const deleted = await harness.app.inject({ method: 'DELETE', url: '/v1/voices/carol' });
    assert.deepEqual(deleted.json(), { id: 'carol', object: 'voice.deleted', deleted: true });
    assertApiError(await harness.app.inject({ method: 'GET', url: '/v1/voices/carol' }), 404, { code: 'voice_not_found' });
    assertApiError(await harness.app.inject({ method: 'DELETE', url: '/v1/voices/carol' }), 404);
    assertApiError(await harness.app.inject({ method: 'PATCH', url: '/v1/voices/carol', payload: { transcript: 'x' } }), 404);
  });

  const badNames = ['../evil', 'a/b', '.hidden', 'x\\y', '', 'a'.repeat(65), 'dot.', 'sp ace', 'a..b'];
  for (const name of badNames) {
    test(`the name ${JSON.stringify(name)} is refused`, async () => {
      assertApiError(await saveJson({ name, audio: base64(sharedClip('spk1_snt1.wav')) }), 400, { param: 'name', code: 'invalid_voice_name' });
    });
  }

  test('a saved name may not shadow a preset voice, nor an existing voice (409)', async () => {
    assertApiError(await saveJson({ name: 'af_heart', audio: base64(sharedClip('spk1_snt1.wav')) }), 409, { message: /preset voice of model 'kokoro'/ });
    await saveJson({ name: 'dave', audio: base64(sharedClip('spk1_snt1.wav')) });
    assertApiError(await saveJson({ name: 'dave', audio: base64(sharedClip('spk1_snt3.wav')) }), 409, { code: 'voice_exists' });
  });

  test('bad clips: not audio, too short, too big, missing file, unknown or non-cloning model', async () => {
    assertApiError(await upload({ name: 'e1' }, Buffer.from('not audio at all')), 400, { param: 'file', code: 'invalid_audio' });
    assertApiError(await upload({ name: 'e2' }, encodeWav(tone(0.4, 16000))), 400, { param: 'file', code: 'audio_too_short' });
    assertApiError(await upload({ name: 'e3' }), 400, { param: 'file', code: 'missing_file' });
    assertApiError(await saveJson({ name: 'e4', audio: base64(sharedClip('spk1_snt1.wav')), model: 'kokoro' }), 400, { param: 'model' });
    assertApiError(await saveJson({ name: 'e5', audio: base64(sharedClip('spk1_snt1.wav')), model: 'nope' }), 404, { code: 'model_not_found' });
    assertApiError(await saveJson({ name: 'e6' }), 400, { param: 'audio' });
    const names = ((await harness.app.inject({ method: 'GET', url: '/v1/voices' })).json() as { data: { id: string }[] }).data.map((v) => v.id);
    assert.ok(!names.some((n) => n.startsWith('e')), 'no failed save left a voice');
  });

  test('an upload over the size limit → 413', async () => {
    const small = await testApp(await fixtureModelsDir(), { maxRefAudioBytes: 100_000 });
    const form = new FormData();
    form.append('name', 'big');
    form.append('file', new Blob([new Uint8Array(encodeWav(tone(5, 24000)))]), 'big.wav');
    assertApiError(await small.app.inject({ method: 'POST', url: '/v1/voices', payload: form as unknown as string }), 413);
    await small.app.close();
  });
});

describe('speaking with a saved voice', () => {
  test('Pocket clones from a saved name: no base64 per request', async () => {
    await saveJson({ name: 'erin', audio: base64(sharedClip('spk1_snt4.wav')) });
    await saveJson({ name: 'frank', audio: base64(sharedClip('jfk.mp3')) });
    const erin = await speech({ model: 'pocket', input: 'Hello there.', voice: 'erin', seed: 1 });
    assert.equal(erin.statusCode, 200, erin.body);
    const again = await speech({ model: 'pocket', input: 'Hello there.', voice: { id: 'erin' }, seed: 1 });
    const frank = await speech({ model: 'pocket', input: 'Hello there.', voice: 'frank', seed: 1 });
    assert.deepEqual(again.rawPayload, erin.rawPayload);
    assert.notDeepEqual(parseWav(frank.rawPayload).samples, parseWav(erin.rawPayload).samples);
  });

  test('ZipVoice needs the saved transcript: 400 until one is PATCHed in', async () => {
    await saveJson({ name: 'gina', audio: base64(sharedClip('spk2_snt2.wav')) });
    await harness.app.inject({ method: 'PATCH', url: '/v1/voices/gina', payload: { transcript: null } });
    assertApiError(await speech({ model: 'zipvoice', input: 'Hi there.', voice: 'gina' }), 400, { param: 'voice', code: 'missing_transcript', message: /PATCH \/v1\/voices\/gina/ });
    await harness.app.inject({ method: 'PATCH', url: '/v1/voices/gina', payload: { transcript: 'The words in the clip.' } });
    assert.equal((await speech({ model: 'zipvoice', input: 'Hi there.', voice: 'gina' })).statusCode, 200);
  });

  test('a preset-only model refuses a saved voice (no silent fallback)', async () => {
    await saveJson({ name: 'hank', audio: base64(sharedClip('spk1_snt5.wav')) });
    assertApiError(await speech({ model: 'kokoro', input: 'Hi.', voice: 'hank' }), 400, { param: 'voice', code: 'cloning_not_supported' });
  });
});

describe('the store', () => {
  test('two saves of one name at once: one wins, the other gets 409, the voice is whole', async () => {
    const [a, b] = await Promise.all([
      saveJson({ name: 'twin', audio: base64(sharedClip('spk1_snt1.wav')), transcript: 'first' }),
      saveJson({ name: 'twin', audio: base64(sharedClip('spk2_snt3.wav')), transcript: 'second' }),
    ]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [201, 409]);
    const { speaker_check: _, ...winner } = (a.statusCode === 201 ? a : b).json() as { transcript: string; speaker_check?: unknown };
    assert.deepEqual((await harness.app.inject({ method: 'GET', url: '/v1/voices/twin' })).json(), winner);
    assert.equal((await speech({ model: 'pocket', input: 'Hi.', voice: 'twin' })).statusCode, 200);
  });

  test('a restart keeps every voice and clears what a crash left half-written', async () => {
    const before = ((await harness.app.inject({ method: 'GET', url: '/v1/voices' })).json() as { data: unknown[] }).data;
    await harness.app.close();
    const halfWritten = join(dataDir, 'voices', '.zed.0badc0ffee');
    await mkdir(halfWritten);
    await writeFile(join(halfWritten, 'clip.wav'), 'RIFF, cut short');
    await startApp();
    const afterRestart = ((await harness.app.inject({ method: 'GET', url: '/v1/voices' })).json() as { data: unknown[] }).data;
    assert.deepEqual(afterRestart, before);
    assert.ok(!(await readdir(join(dataDir, 'voices'))).some((n) => n.startsWith('.')), 'the staging leftover is gone');
  });
});

describe('ref_audio as a server-local path', () => {
  let clips: string;
  let outside: string;
  before(async () => {
    clips = await mkdtemp(join(tmpdir(), 'vocable-clips-'));
    outside = await mkdtemp(join(tmpdir(), 'vocable-outside-'));
    await copyFile(join(SHARED_AUDIO, 'spk1_snt1.wav'), join(clips, 'me.wav'));
    await copyFile(join(SHARED_AUDIO, 'spk2_snt1.wav'), join(outside, 'secret.wav'));
    await symlink(join(outside, 'secret.wav'), join(clips, 'link.wav'));
    await harness.app.close();
    await startApp({ refAudioDir: clips });
  });
  after(async () => {
    await rm(clips, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  test('a file inside the allowed folder is used, by relative or absolute path', async () => {
    assert.equal((await speech({ model: 'pocket', input: 'Hi.', ref_audio: 'me.wav' })).statusCode, 200);
    assert.equal((await speech({ model: 'pocket', input: 'Hi.', ref_audio: join(clips, 'me.wav') })).statusCode, 200);
  });

  test('leaving the folder by .. or by a link → 403', async () => {
    assertApiError(await speech({ model: 'pocket', input: 'Hi.', ref_audio: `../${outside.split('/').pop()}/secret.wav` }), 403, { param: 'ref_audio' });
    assertApiError(await speech({ model: 'pocket', input: 'Hi.', ref_audio: join(outside, 'secret.wav') }), 403);
    assertApiError(await speech({ model: 'pocket', input: 'Hi.', ref_audio: 'link.wav' }), 403);
  });

  test('a missing file → 400; a URL is still never fetched', async () => {
    assertApiError(await speech({ model: 'pocket', input: 'Hi.', ref_audio: 'nope.wav' }), 400, { code: 'file_not_found' });
    assertApiError(await speech({ model: 'pocket', input: 'Hi.', ref_audio: 'file:///etc/passwd' }), 400, { code: 'invalid_base64' });
  });

  test('with no allowed folder (the default), a path is refused with a 400 that says so', async () => {
    const plain = await testApp(await fixtureModelsDir());
    const response = await plain.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', input: 'Hi.', ref_audio: join(SHARED_AUDIO, 'spk1_snt1.wav') } });
    assertApiError(response, 400, { code: 'paths_not_allowed', message: /--ref-audio-dir/ });
    await plain.app.close();
  });
});
