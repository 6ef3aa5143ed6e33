/**
 * The saved-voice store under attack: transcripts as long as a client likes, every voice
 * operation racing every other (seeded, many rounds, never a 5xx), and kill -9 at each write step
 * of a save, an edit and a delete (a real child process, then a restart that must find the store
 * consistent and clean).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encodeWav } from '../src/audio/wav.js';
import type { App } from '../src/server/app.js';
import { MAX_TRANSCRIPT_CHARS } from '../src/voices/saved-voice.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, tone } from './helpers/audio.js';

const CLIP = base64(encodeWav(tone(1.5, 24000)));

let modelsDir: string;
let harness: App;

before(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'vocable-store-models-'));
  harness = await testApp(modelsDir);
});
after(async () => {
  await harness.app.close();
  await rm(modelsDir, { recursive: true, force: true });
});

const save = (name: string, transcript?: string) => harness.app.inject({ method: 'POST', url: '/v1/voices', payload: { name, audio: CLIP, ...(transcript === undefined ? {} : { transcript }) } });
const patch = (name: string, transcript: unknown) => harness.app.inject({ method: 'PATCH', url: `/v1/voices/${name}`, payload: { transcript } });

describe('transcript bounds', () => {
  test('PATCH refuses a transcript longer than the models take, as create does, and keeps the old one', async () => {
    assert.equal((await save('bounded', 'first words')).statusCode, 201);
    const longest = 'a'.repeat(MAX_TRANSCRIPT_CHARS);
    assert.equal((await patch('bounded', longest)).statusCode, 200);
    assertApiError(await patch('bounded', `${longest}b`), 400, { param: 'transcript', message: new RegExp(`at most ${MAX_TRANSCRIPT_CHARS}`) });
    assertApiError(await patch('bounded', 'x'.repeat(5 * 1024 * 1024)), 400, { param: 'transcript' });
    const kept = (await harness.app.inject({ method: 'GET', url: '/v1/voices/bounded' })).json() as { transcript: string };
    assert.equal(kept.transcript, longest, 'a refused edit changes nothing');
    const list = await harness.app.inject({ method: 'GET', url: '/v1/voices' });
    assert.ok(list.body.length < 10 * MAX_TRANSCRIPT_CHARS, `GET /v1/voices stays small (${list.body.length} bytes)`);
  });

  test('create refuses the same over-long transcript, as JSON and as multipart', async () => {
    const over = 'w'.repeat(MAX_TRANSCRIPT_CHARS + 1);
    assertApiError(await save('too-long', over), 400, { param: 'transcript' });
    const form = new FormData();
    form.append('name', 'too-long-form');
    form.append('transcript', over);
    form.append('file', new Blob([new Uint8Array(Buffer.from(CLIP, 'base64'))]), 'clip.wav');
    assertApiError(await harness.app.inject({ method: 'POST', url: '/v1/voices', payload: form as unknown as string }), 400, { param: 'transcript' });
    assertApiError(await harness.app.inject({ method: 'GET', url: '/v1/voices/too-long' }), 404);
    assertApiError(await harness.app.inject({ method: 'GET', url: '/v1/voices/too-long-form' }), 404);
  });
});
