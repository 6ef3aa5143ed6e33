/**
 * The default install speaks at once: Pocket TTS (which only clones) with the Kyutai voice pack
 * beside it, as the first start pulls them. Here the pack's clip is saved by hand (the pack's own
 * pull is tested in voice-pack.test.ts); fixture models (fixture weights: tones, not speech).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { DEFAULT_VOICE_PACK_IDS, KNOWN_VOICE_PACKS } from '../src/catalogue/voice-packs.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, parseWav, sharedClip } from './helpers/audio.js';
import { runCli } from './helpers/cli.js';

/** What a first start installs: Pocket TTS, Whisper and the Silero VAD. */
const DEFAULT_FOLDERS = ['pocket', 'whisper', 'silero-vad'];
const PACK_VOICE = 'kyutai-alba-casual';
let models: string;
let work: string;

before(async () => {
  const fixtures = await fixtureModelsDir();
  work = await mkdtemp(join(tmpdir(), 'vocable-default-install-'));
  models = join(work, 'models');
  await mkdir(models);
  for (const id of DEFAULT_FOLDERS) await symlink(join(fixtures, id), join(models, id));
});
after(() => rm(work, { recursive: true, force: true }));

test('the first start pulls the Kyutai pack beside the default models, and OpenAI’s default voice stands for one of its clips', () => {
  assert.deepEqual([...DEFAULT_VOICE_PACK_IDS], ['kyutai-pocket-voices']);
  const pack = KNOWN_VOICE_PACKS.find((p) => p.id === DEFAULT_VOICE_PACK_IDS[0])!;
  assert.ok(pack.voices.some((v) => v.name === PACK_VOICE));
});

test('with the pack installed, the API speaks without a voice or a clip; without it, the 400 says what to pull', async () => {
  const dataDir = join(work, 'data-api');
  const { app } = await testApp(models, { dataDir });
  try {
    const bare = await app.inject({ method: 'GET', url: '/v1/models/pocket' });
    assert.equal((bare.json() as { capabilities: { default_voice: string | null } }).capabilities.default_voice, null);
    assertApiError(await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', input: 'Hello.' } }), 400, { param: 'ref_audio', message: /pull kyutai-pocket-voices/ });

    const saved = await app.inject({ method: 'POST', url: '/v1/voices', payload: { name: PACK_VOICE, audio: base64(sharedClip('spk2_snt2.wav')), transcript: 'Words.' } });
    assert.equal(saved.statusCode, 201, saved.body);
    const listed = await app.inject({ method: 'GET', url: '/v1/models/pocket' });
    assert.equal((listed.json() as { capabilities: { default_voice: string | null } }).capabilities.default_voice, PACK_VOICE);

    const spoken = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', input: 'Hello.', response_format: 'wav', stream: false, seed: 3 } });
    assert.equal(spoken.statusCode, 200, spoken.body);
    const explicit = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', input: 'Hello.', response_format: 'wav', stream: false, seed: 3, voice: PACK_VOICE } });
    assert.deepEqual(parseWav(spoken.rawPayload).samples, parseWav(explicit.rawPayload).samples, 'no voice means the pack voice');
  } finally {
    await app.close();
  }
});

test('vocable say "Hello" speaks on the default install, and says what to pull when the pack is missing', async () => {
  const dataDir = join(work, 'data-cli');
  const missing = await runCli(['say', 'Hello.', '-o', join(work, 'none.wav'), '--models-dir', models, '--data-dir', dataDir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /vocable pull kyutai-pocket-voices/);
  assert.equal((await runCli(['voices', 'add', PACK_VOICE, join('test', 'data', 'speech', 'spk2_snt2.wav'), '-t', 'Words.', '--models-dir', models, '--data-dir', dataDir])).code, 0);
  const run = await runCli(['say', 'Hello.', '-o', join(work, 'hello.wav'), '--models-dir', models, '--data-dir', dataDir]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`from pocket \\(voice ${PACK_VOICE}\\)`));
});
