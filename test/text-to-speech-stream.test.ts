/**
 * GET /v1/text-to-speech/{voice_id}/stream-input, driven by a plain `ws` client speaking
 * ElevenLabs' documented messages (initial " " with voice_settings and generation_config, text
 * chunks, flush, "" to finish; audio back as base64 with isFinal) on fixture models.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { decodeAudio } from '../src/audio/decode.js';
import type { ModelPool } from '../src/engine/model-pool.js';
import { testApp } from './helpers/app.js';
import { base64, sharedClip } from './helpers/audio.js';
import { baseUrl, refusedUpgrade } from './helpers/realtime.js';

const KEY = 'sk-vocable-tts-stream';
let app: FastifyInstance;
let pool: ModelPool;

before(async () => {
  ({ app, pool } = await testApp(await fixtureModelsDir(), { apiKey: KEY, maxQueue: 1, instances: 1 }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const saved = await app.inject({ method: 'POST', url: '/v1/voices', headers: { authorization: `Bearer ${KEY}` }, payload: { name: 'narrator', audio: base64(sharedClip('spk1_snt1.wav')) } });
  assert.equal(saved.statusCode, 201, saved.body);
});
after(() => app.close());

const INIT = { text: ' ', voice_settings: { stability: 0.5, similarity_boost: 0.8, speed: 1 }, generation_config: { chunk_length_schedule: [120, 160, 250, 290] } };

interface AudioMessage {
  audio: string | null;
  isFinal: boolean | null;
  alignment?: { chars: string[]; charStartTimesMs: number[]; charsDurationsMs: number[] };
  normalizedAlignment?: unknown;
  error?: { code: string; message: string; param: string | null };
}

function url(voice: string, query: Record<string, string> = {}): string {
  return `${baseUrl(app).replace('http', 'ws')}/text-to-speech/${voice}/stream-input?${new URLSearchParams(query)}`;
}

/** An ElevenLabs-style client: the key in `xi-api-key`, every message kept. */
async function connect(voice = 'af_heart', query: Record<string, string> = {}) {
  const socket = new WebSocket(url(voice, query), { headers: { 'xi-api-key': KEY } });
  const messages: AudioMessage[] = [];
  const arrivals: number[] = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as AudioMessage);
    arrivals.push(performance.now());
  });
  const done = once(socket, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
  await once(socket, 'open');
  const send = (message: object) => socket.send(JSON.stringify(message));
  const audio = () => Buffer.concat(messages.filter((m) => m.audio).map((m) => Buffer.from(m.audio!, 'base64')));
  const nextMessage = async (count = messages.length + 1) => {
    while (messages.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
    return messages[count - 1]!;
  };
  return { socket, messages, arrivals, done, send, audio, nextMessage };
}

describe('speaking text as it arrives', () => {
  test('text in pieces, then "": mp3 audio chunks, isFinal last, a normal close', async () => {
    const client = await connect();
    client.send(INIT);
    for (const piece of ['Hello ', 'from a ', 'language model, ', 'streaming its ', 'words. ']) client.send({ text: piece });
    client.send({ text: '' });
    const { code } = await client.done;
    assert.equal(code, 1000);
    const last = client.messages.at(-1)!;
    assert.equal(last.isFinal, true);
    assert.ok(client.messages.slice(0, -1).every((m) => m.isFinal === false && typeof m.audio === 'string'));
    const decoded = await decodeAudio(client.audio());
    assert.equal(decoded.sampleRate, 44100, 'the default output_format is mp3_44100_128');
    assert.ok(decoded.samples.length / decoded.sampleRate > 0.5, 'the whole text was spoken');
  });

  test('a clause is spoken as soon as it is complete, before the rest of the text arrives', async () => {
    const client = await connect('af_heart', { output_format: 'pcm_24000' });
    client.send(INIT);
    client.send({ text: 'The first clause is complete, ' });
    client.send({ text: 'and this one is not' });
    const first = await client.nextMessage();
    assert.ok(first.audio && Buffer.from(first.audio, 'base64').length > 0, 'audio before the text ended');
    const before = client.messages.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const spokenSoFar = client.audio().length;
    client.send({ text: ' yet.', flush: true });
    await client.nextMessage(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(client.audio().length > spokenSoFar, 'flush spoke the open clause');
    assert.ok(!client.messages.some((m) => m.isFinal), 'flush keeps the session open');
    client.send({ text: '' });
    assert.equal((await client.done).code, 1000);
  });

  test('with sync_alignment, each clause comes with its characters, in the order sent', async () => {
    const client = await connect('af_heart', { output_format: 'pcm_16000', sync_alignment: 'true' });
    client.send(INIT);
    client.send({ text: 'One, two, three. Four' });
    client.send({ text: ' five.' });
    client.send({ text: '' });
    await client.done;
    const aligned = client.messages.filter((m) => m.alignment);
    assert.deepEqual(aligned.map((m) => m.alignment!.chars.join('')), ['One,', 'two,', 'three.', 'Four five.']);
    for (const { alignment } of aligned) {
      assert.equal(alignment!.charStartTimesMs.length, alignment!.chars.length);
      assert.ok(alignment!.charStartTimesMs.every((t, i, all) => i === 0 || t >= all[i - 1]!));
    }
    assert.deepEqual(aligned[0]!.normalizedAlignment, aligned[0]!.alignment);
  });

  test('ulaw_8000 is one byte per sample at 8 kHz; pcm_16000 two bytes per sample', async () => {
    const lengths: Record<string, number> = {};
    for (const format of ['ulaw_8000', 'pcm_16000']) {
      const client = await connect('af_heart', { output_format: format });
      client.send(INIT);
      client.send({ text: 'The same words in two formats.' });
      client.send({ text: '' });
      await client.done;
      lengths[format] = client.audio().length;
    }
    // 16 kHz × 2 bytes is four times 8 kHz × 1 byte, give or take the resamplers' edges.
    const ratio = lengths.pcm_16000! / lengths.ulaw_8000!;
    assert.ok(ratio > 3.9 && ratio < 4.1, `pcm_16000 / ulaw_8000 = ${ratio}`);
  });

  test('a saved voice is spoken by a model that clones', async () => {
    const client = await connect('narrator', { output_format: 'pcm_24000' });
    client.send(INIT);
    client.send({ text: 'Spoken in a saved voice.' });
    client.send({ text: '' });
    assert.equal((await client.done).code, 1000);
    assert.ok(client.audio().length > 0);
  });
});

describe('refused before the upgrade', () => {
  const headers = { 'xi-api-key': KEY };
  test('an unknown voice, output format or model, or no key', async () => {
    const voice = await refusedUpgrade(url('nobody'), { headers });
    assert.equal(voice.status, 400);
    assert.equal(JSON.parse(voice.body).error.code, 'unknown_voice');
    const format = await refusedUpgrade(url('af_heart', { output_format: 'wav_44100' }), { headers });
    assert.equal(format.status, 400);
    assert.equal(JSON.parse(format.body).error.param, 'output_format');
    assert.equal((await refusedUpgrade(url('af_heart', { model_id: 'no-such-model' }), { headers })).status, 404);
    assert.equal((await refusedUpgrade(url('af_heart', { inactivity_timeout: '999' }), { headers })).status, 400);
    assert.equal((await refusedUpgrade(url('af_heart'))).status, 401);
  });

  test("ElevenLabs' own model ids choose the model that has the voice", async () => {
    const client = await connect('bf_emma', { model_id: 'eleven_flash_v2_5', output_format: 'pcm_24000' });
    client.send(INIT);
    client.send({ text: 'Hello.' });
    client.send({ text: '' });
    assert.equal((await client.done).code, 1000);
    assert.ok(client.audio().length > 0);
  });
});

/** Counts the clauses the engine is asked to speak from now on. */
function countEngineJobs(): { count: () => number; restore: () => void } {
  const original = pool.runTts.bind(pool);
  let calls = 0;
  pool.runTts = ((...args: Parameters<ModelPool['runTts']>) => {
    calls += 1;
    return original(...args);
  }) as ModelPool['runTts'];
  return { count: () => calls, restore: () => (pool.runTts = original) };
}

const LONG_TEXT = Array.from({ length: 40 }, (_, i) => `This is sentence number ${i + 1}, spoken one clause at a time.`).join(' ') + ' ';

describe('clients that misbehave', () => {
  test('a socket closed mid-speech stops generation at once: no clause after it starts', async () => {
    const jobs = countEngineJobs();
    try {
      const client = await connect('af_heart', { output_format: 'pcm_24000' });
      client.send(INIT);
      client.send({ text: LONG_TEXT });
      await client.nextMessage();
      client.socket.terminate();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const afterClose = jobs.count();
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(jobs.count(), afterClose, 'no clause started after the close');
      assert.ok(afterClose < 10, `${afterClose} of 80 clauses were spoken`);
      assert.equal(pool.queueDepth('kokoro'), 0, 'the model is free');
    } finally {
      jobs.restore();
    }
  });

  test('a reader that stops reading holds generation back; when it reads again, everything arrives in order', async () => {
    const jobs = countEngineJobs();
    try {
      const client = await connect('af_heart', { output_format: 'pcm_48000' });
      client.send(INIT);
      client.send({ text: LONG_TEXT });
      client.send({ text: '' });
      await client.nextMessage();
      client.socket.pause();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const whilePaused = jobs.count();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(jobs.count(), whilePaused, 'no new clause while the client is not reading');
      assert.ok(whilePaused < 80, `${whilePaused} clauses made before the reader stalled`);
      client.socket.resume();
      assert.equal((await client.done).code, 1000);
      assert.equal(client.messages.at(-1)!.isFinal, true);
      assert.equal(jobs.count(), 80, 'every clause spoken once the reader came back');
    } finally {
      jobs.restore();
    }
  });

  test('messages that are not JSON or lack text get errors; five in a row close the session', async () => {
    const client = await connect();
    client.socket.send('{oops');
    assert.equal((await client.nextMessage()).error?.code, 'invalid_json');
    client.send({ flush: true });
    assert.equal((await client.nextMessage(2)).error?.param, 'text');
    client.send({ text: 'Hi.', voice_settings: { speed: 99 } });
    client.socket.send('null');
    client.socket.send(Buffer.from([0]), { binary: true });
    const { code, reason } = await client.done;
    assert.equal(code, 1008);
    assert.match(reason, /5 bad messages/);
  });

  test('a session with no text for inactivity_timeout is closed', async () => {
    const client = await connect('af_heart', { inactivity_timeout: '1' });
    client.send(INIT);
    const { code, reason } = await client.done;
    assert.equal(code, 1000);
    assert.match(reason, /inactivity_timeout/);
  });

  test('sessions per model are bounded: past the bound a session is told to retry', async () => {
    const a = await connect();
    const b = await connect();
    const c = await connect();
    const refused = await c.done;
    assert.equal(refused.code, 1013);
    assert.equal(c.messages[0]!.error?.code, 'server_busy');
    a.socket.close();
    b.socket.close();
  });
});
