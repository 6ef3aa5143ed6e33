/**
 * Voice packs: reference clips pulled like a model, checked by SHA-256 and installed as saved
 * voices, so a model that only clones answers OpenAI's voice names. Downloads come from a local
 * HTTP server the test starts; the built-in Kyutai pack is checked for what a pull relies on.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { KNOWN_VOICE_PACKS, VoicePacks, voicePackSchema, type VoicePack } from '../src/catalogue/voice-packs.js';
import type { InstalledTtsModel } from '../src/engine/discovery.js';
import type { App } from '../src/server/app.js';
import { OPENAI_VOICES, voiceAliasTarget } from '../src/speech/openai-voices.js';
import { testApp } from './helpers/app.js';
import { startArchiveServer, type ArchiveServer } from './helpers/archive-server.js';
import { assertApiError } from './helpers/assertions.js';
import { sharedClip } from './helpers/audio.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const CLIPS: Record<string, Buffer> = {
  '/alba-mackenna/casual.wav': sharedClip('spk1_snt1.wav'),
  '/alba-mackenna/announcer.wav': sharedClip('spk1_snt2.wav'),
  '/alba-mackenna/merchant.wav': sharedClip('spk1_snt3.wav'),
  '/alba-mackenna/a-moment-by.wav': sharedClip('spk2_snt1.wav'),
};

let server: ArchiveServer;

/** The Kyutai pack as built in, but served by the local server (and with `sha256` overridable per path). */
function localPack(url: string, sums: Record<string, string> = {}): VoicePack {
  const kyutai = KNOWN_VOICE_PACKS.find((p) => p.id === 'kyutai-pocket-voices')!;
  return {
    ...kyutai,
    voices: kyutai.voices.map((voice) => {
      const path = new URL(voice.url).pathname.replace(/^.*(\/alba-mackenna\/)/, '$1');
      return { ...voice, url: `${url}${path}`, sha256: sums[path] ?? sha256(CLIPS[path]!) };
    }),
  };
}

before(async () => {
  server = await startArchiveServer(CLIPS);
});
after(() => server.close());

async function appWith(pack: VoicePack): Promise<App> {
  return testApp(await fixtureModelsDir(), {}, { voicePacks: new VoicePacks([pack]) });
}

const pull = (harness: App) => harness.app.inject({ method: 'POST', url: '/v1/models/pull', payload: { model: 'kyutai-pocket-voices', stream: false } });

describe('pulling a voice pack', () => {
  test('installs each clip as a saved voice, after which pocket answers OpenAI\'s voice names', async () => {
    const harness = await appWith(localPack(server.url));
    try {
      const refused = await harness.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', voice: 'alloy', input: 'Hi', stream: false } });
      assertApiError(refused, 400, { param: 'voice', message: /kyutai-pocket-voices/ });

      const pulled = await pull(harness);
      assert.equal(pulled.statusCode, 200, pulled.body);
      assert.equal(pulled.json().status, 'installed');
      const voices = (await harness.app.inject({ method: 'GET', url: '/v1/voices' })).json() as { data: { id: string; duration_seconds: number }[] };
      assert.deepEqual(voices.data.map((v) => v.id).sort(), ['kyutai-alba-a-moment-by', 'kyutai-alba-announcer', 'kyutai-alba-casual', 'kyutai-alba-merchant']);

      for (const voice of ['alloy', 'echo', 'marin']) {
        const spoken = await harness.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', voice, input: 'Hello there.', response_format: 'wav', stream: false } });
        assert.equal(spoken.statusCode, 200, `${voice}: ${spoken.body}`);
      }

      const before = server.requests.length;
      const again = await pull(harness);
      assert.equal(again.json().status, 'already-installed');
      assert.equal(server.requests.length, before, 'nothing is downloaded again');
    } finally {
      await harness.app.close();
    }
  });

  test('a clip whose SHA-256 differs is refused: no voice saved, no download left behind', async () => {
    const harness = await appWith(localPack(server.url, { '/alba-mackenna/merchant.wav': 'f'.repeat(64) }));
    try {
      assertApiError(await pull(harness), 502, { code: 'checksum_mismatch', message: /merchant\.wav.*SHA-256/ });
      const voices = (await harness.app.inject({ method: 'GET', url: '/v1/voices' })).json() as { data: { id: string }[] };
      assert.ok(!voices.data.some((v) => v.id === 'kyutai-alba-merchant'));
      const downloads = join(await fixtureModelsDir(), '.downloads');
      const left = await readdir(downloads).catch(() => []);
      assert.ok(!left.some((name) => name.includes('kyutai-alba-merchant')), `left: ${left.join(', ')}`);
    } finally {
      await harness.app.close();
    }
  });

  test('GET /v1/catalogue shows the pack with its licence, each clip\'s SHA-256, and whether it is installed', async () => {
    const pack = localPack(server.url);
    const harness = await appWith(pack);
    try {
      const listed = (await harness.app.inject({ method: 'GET', url: '/v1/catalogue' })).json() as {
        voice_packs: { id: string; licence: string; installed: boolean; voices: { name: string; sha256: string }[] }[];
      };
      const entry = listed.voice_packs.find((p) => p.id === 'kyutai-pocket-voices')!;
      assert.match(entry.licence, /CC-BY-4\.0/);
      assert.equal(entry.installed, false);
      assert.deepEqual(entry.voices.map((v) => v.sha256), pack.voices.map((v) => v.sha256));
    } finally {
      await harness.app.close();
    }
  });
});

describe('the built-in Kyutai pack', () => {
  const kyutai = KNOWN_VOICE_PACKS.find((p) => p.id === 'kyutai-pocket-voices')!;

  test('names clips of kyutai/tts-voices, each pinned by SHA-256', () => {
    for (const voice of kyutai.voices) {
      assert.match(voice.url, /^https:\/\/huggingface\.co\/kyutai\/tts-voices\/resolve\/main\/.+\.wav$/);
      assert.match(voice.sha256, /^[0-9a-f]{64}$/);
    }
  });

  test('a pack entry without a checksum is refused', () => {
    const unchecked = { ...kyutai, voices: [{ ...kyutai.voices[0]!, sha256: undefined }] };
    assert.equal(voicePackSchema.safeParse(unchecked).success, false);
  });

  test('every OpenAI voice maps by default to one of its voices on a model that only clones', () => {
    const cloneOnly = { id: 'pocket', family: { id: 'pocket' }, capabilities: { voices: [] } } as unknown as InstalledTtsModel;
    const names = new Set(kyutai.voices.map((v) => v.name));
    for (const voice of OPENAI_VOICES) assert.ok(names.has(voiceAliasTarget(voice, cloneOnly, {})!), voice);
  });
});
