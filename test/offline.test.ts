/**
 * `--offline`: the server opens no outbound connection whatever it is asked. The server runs as a
 * child process with a preload that reports every TCP connect, UDP send and DNS lookup to another
 * host; over the fixture models (fixture weights: tones, not speech).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { base64, sharedClip } from './helpers/audio.js';
import { ROOT, startServer } from './helpers/cli.js';
import { form } from './helpers/multipart.js';

const WATCH = ['--import', join(ROOT, 'test', 'helpers', 'outbound-watch.mjs')];
let empty: string;
before(async () => {
  empty = await mkdtemp(join(tmpdir(), 'vocable-offline-'));
});
after(() => rm(empty, { recursive: true, force: true }));

const outbound = (log: string) => log.split('\n').filter((line) => line.startsWith('OUTBOUND'));

async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

test('the watch sees a download: without --offline, an empty models folder starts pulling the defaults', async () => {
  const server = await startServer(['--models-dir', join(empty, 'online'), '--data-dir', join(empty, 'data-online'), '--log-format', 'json'], WATCH);
  try {
    for (let i = 0; i < 100 && outbound(server.log()).length === 0; i++) await settle(50);
    assert.ok(outbound(server.log()).length > 0, `the first start reaches for the catalogue's hosts: ${server.log().slice(-500)}`);
  } finally {
    await server.stop();
  }
});

test('with --offline nothing goes out: first start, pulls, voice packs, OpenAI names, URLs as clips, every page', async () => {
  const first = await startServer(['--models-dir', join(empty, 'models'), '--data-dir', join(empty, 'data'), '--offline', '--log-format', 'json'], WATCH);
  try {
    await settle(500);
    assert.deepEqual(outbound(first.log()), [], 'an empty models folder is left empty');
  } finally {
    await first.stop();
  }

  const server = await startServer(['--models-dir', await fixtureModelsDir(), '--data-dir', join(empty, 'data2'), '--offline', '--log-format', 'json'], WATCH);
  try {
    const post = (path: string, body: object) => fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const id of ['whisper-base', 'kyutai-pocket-voices']) {
      const pull = await post('/v1/models/pull', { model: id });
      assert.equal(pull.status, 403, `pull ${id}`);
      const error = ((await pull.json()) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'offline');
      assert.match(error.message, /--offline/);
    }
    await post('/v1/audio/speech', { model: 'tts-1', input: 'Hello.', voice: 'alloy' }).then((r) => r.arrayBuffer());
    await post('/v1/audio/speech', { model: 'pocket', input: 'Hello.', ref_audio: 'https://example.com/clip.wav' }).then((r) => r.arrayBuffer());
    await post('/v1/audio/speech', { model: 'pocket', input: 'Hello.', ref_audio: base64(sharedClip('spk1_snt1.wav')) }).then((r) => r.arrayBuffer());
    await fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form({ model: 'whisper-1' }, { bytes: sharedClip('jfk.wav'), name: 'jfk.wav' }) }).then((r) => r.arrayBuffer());
    for (const path of ['/', '/docs', '/openapi.json', '/v1/catalogue', '/v1/models', '/v1/voices', '/ready']) await fetch(`${server.url}${path}`).then((r) => r.arrayBuffer());
    await settle(300);
    assert.deepEqual(outbound(server.log()), []);
  } finally {
    await server.stop();
  }
});
