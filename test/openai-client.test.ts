/** End to end: the official `openai` npm client against a listening server on fixture models. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import OpenAI, { toFile } from 'openai';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { base64, parseWav, sharedClip } from './helpers/audio.js';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';

const KEY = 'sk-vocable-e2e';
let app: FastifyInstance;
let client: OpenAI;

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir(), { apiKey: KEY }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  client = new OpenAI({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
});
after(() => app.close());

test('audio.speech.create with a preset voice', async () => {
  const response = await client.audio.speech.create({ model: 'kokoro', voice: 'af_heart', input: 'Hello from the OpenAI client.', response_format: 'wav' });
  const wav = parseWav(Buffer.from(await response.arrayBuffer()));
  assert.equal(wav.sampleRate, 24000);
  assert.ok(wav.samples.length > 0);
});

test('audio.speech.create with voice as an object { id }', async () => {
  const byObject = await client.audio.speech.create({ model: 'kokoro', voice: { id: 'bf_emma' }, input: 'Hello.', response_format: 'wav' });
  const byName = await client.audio.speech.create({ model: 'kokoro', voice: 'bf_emma', input: 'Hello.', response_format: 'wav' });
  assert.deepEqual(Buffer.from(await byObject.arrayBuffer()), Buffer.from(await byName.arrayBuffer()));
});

test('audio.speech.create cloning with ref_audio and ref_text as extra body fields', async () => {
  const response = await client.audio.speech.create({
    model: 'zipvoice',
    voice: 'alloy',
    input: 'A cloned voice, through the official client.',
    response_format: 'wav',
    // @ts-expect-error cloning fields are Vocable's extension of OpenAI's contract
    ref_audio: base64(sharedClip('spk2_snt3.wav')),
    ref_text: 'The words of the clip.',
  });
  assert.ok(parseWav(Buffer.from(await response.arrayBuffer())).samples.length > 0);
});

test('errors reach the client as OpenAI errors', async () => {
  await assert.rejects(
    client.audio.speech.create({ model: 'kokoro', voice: 'nobody', input: 'Hi', response_format: 'wav' }),
    (error: unknown) => error instanceof OpenAI.BadRequestError && /af_heart/.test(error.message) && (error.error as { param?: string }).param === 'voice',
  );
  const anonymous = new OpenAI({ apiKey: 'wrong', baseURL: client.baseURL, maxRetries: 0 });
  await assert.rejects(anonymous.models.list(), OpenAI.AuthenticationError);
});

test('models.list returns the installed models (and, apart, the aliases of OpenAI\'s names)', async () => {
  const ids = [];
  for await (const model of client.models.list()) if (!('alias_for' in model)) ids.push(model.id);
  assert.deepEqual(ids.sort(), Object.values(FIXTURE_MODELS).sort());
});

test('audio.transcriptions.create (json, verbose_json, srt); translations refused by a model that cannot translate', async () => {
  const file = await toFile(sharedClip('spk2_snt1.wav'), 'clip.wav');
  const transcription = await client.audio.transcriptions.create({ model: 'sensevoice', file });
  assert.equal(transcription.text, SENSEVOICE_TEXT);
  const verbose = await client.audio.transcriptions.create({ model: 'sensevoice', file: await toFile(sharedClip('jfk.mp3'), 'jfk.mp3'), response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] });
  assert.ok(verbose.segments!.length >= 2 && verbose.words!.length >= 2);
  const srt = await client.audio.transcriptions.create({ model: 'sensevoice', file: await toFile(sharedClip('spk1_snt1.wav'), 'a.wav'), response_format: 'srt' });
  assert.match(String(srt), /^1\n00:00:00,\d{3} --> /);
  await assert.rejects(client.audio.translations.create({ model: 'sensevoice', file: await toFile(sharedClip('spk1_snt1.wav'), 'a.wav') }), OpenAI.BadRequestError);
});
