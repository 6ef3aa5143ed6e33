/**
 * GET /v1/realtime?intent=transcription, driven by the official `openai` SDK's realtime clients
 * against a listening server: the fixture SenseVoice model (it says "the quick brown fox" for
 * any speech) and the real Silero VAD on real recorded speech.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import { testApp } from './helpers/app.js';
import { appendAll, baseUrl, browserClient, closed, EventLog, nodeClient, opened, rawSocket, refusedUpgrade, speechPcm24k } from './helpers/realtime.js';

const KEY = 'sk-vocable-realtime';
let app: FastifyInstance;
let speech: Buffer;

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir(), { apiKey: KEY, maxQueue: 1, instances: 1 }, { live: { idleTimeoutMs: 1500, deltaIntervalMs: 200 } }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  speech = await speechPcm24k();
});
after(() => app.close());

async function session(query?: Record<string, string>) {
  const client = browserClient(app, KEY, query);
  const log = new EventLog(client);
  await log.next('session.created');
  return { client, log };
}

describe('a transcription session with server VAD', () => {
  test('speech in: started, stopped, committed, deltas and the completed transcript, in order', async () => {
    const { client, log } = await session();
    const created = await log.next('session.created');
    assert.equal(created.session.type, 'transcription');
    appendAll(client, speech);
    const completed = await log.next('conversation.item.input_audio_transcription.completed');
    assert.equal(completed.transcript, SENSEVOICE_TEXT);
    const started = log.of('input_audio_buffer.speech_started')[0]!;
    const stopped = log.of('input_audio_buffer.speech_stopped')[0]!;
    const committed = log.of('input_audio_buffer.committed')[0]!;
    assert.equal(started.item_id, completed.item_id);
    assert.equal(stopped.item_id, completed.item_id);
    assert.equal(committed.item_id, completed.item_id);
    assert.equal(committed.previous_item_id ?? null, null);
    // The clip starts 0.5 s in and lasts 2.9 s; the prefix padding reaches back 0.3 s before it.
    assert.ok(started.audio_start_ms >= 0 && started.audio_start_ms < 800, `speech started at ${started.audio_start_ms} ms`);
    assert.ok(stopped.audio_end_ms > 3000 && stopped.audio_end_ms <= 5000, `speech stopped at ${stopped.audio_end_ms} ms`);
    const types = log.events.map((e) => e.type);
    assert.ok(types.indexOf('input_audio_buffer.speech_started') < types.indexOf('input_audio_buffer.speech_stopped'));
    assert.ok(types.indexOf('input_audio_buffer.committed') < types.indexOf('conversation.item.input_audio_transcription.completed'));
    const deltas = log.of('conversation.item.input_audio_transcription.delta').filter((d) => d.item_id === completed.item_id);
    assert.equal(deltas.map((d) => d.delta).join(''), SENSEVOICE_TEXT, 'the deltas add up to the transcript');
    client.close();
  });
});

describe('deltas while speaking', () => {
  test('audio sent at the pace it is spoken gets deltas before the turn ends', async () => {
    const { client, log } = await session();
    const chunk = 4800; // 100 ms
    for (let at = 0; at < speech.length; at += chunk) {
      client.send({ type: 'input_audio_buffer.append', audio: speech.subarray(at, at + chunk).toString('base64') });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const completed = await log.next('conversation.item.input_audio_transcription.completed');
    const types = log.events.map((e) => e.type);
    const firstDelta = types.indexOf('conversation.item.input_audio_transcription.delta');
    assert.ok(firstDelta >= 0 && firstDelta < types.indexOf('input_audio_buffer.speech_stopped'), `events: ${types.join(', ')}`);
    assert.equal(log.of('conversation.item.input_audio_transcription.delta').map((d) => d.delta).join(''), completed.transcript);
    client.close();
  });
});

describe('manual turns (turn_detection: null)', () => {
  test('session.update turns the VAD off; commit ends the turn and transcribes it', async () => {
    const { client, log } = await session();
    client.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { turn_detection: null } } } });
    const updated = await log.next('session.updated');
    assert.equal(updated.session.type, 'transcription');
    assert.equal((updated.session as { audio: { input: { turn_detection: unknown } } }).audio.input.turn_detection, null);
    appendAll(client, speech);
    client.send({ type: 'input_audio_buffer.commit' });
    const completed = await log.next('conversation.item.input_audio_transcription.completed');
    assert.equal(completed.transcript, SENSEVOICE_TEXT);
    assert.equal(log.of('input_audio_buffer.speech_started').length, 0, 'no VAD events with turn detection off');
    assert.equal(log.of('input_audio_buffer.committed')[0]!.item_id, completed.item_id);
    client.close();
  });

  test('commit with nothing buffered, and after clear, is an error the session survives', async () => {
    const { client, log } = await session();
    client.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { turn_detection: null } } } });
    await log.next('session.updated');
    client.send({ type: 'input_audio_buffer.commit', event_id: 'commit-1' });
    const empty = await log.next('error');
    assert.equal(empty.error.code, 'input_audio_buffer_commit_empty');
    assert.equal(empty.error.event_id, 'commit-1');
    appendAll(client, speech.subarray(0, 48000));
    client.send({ type: 'input_audio_buffer.clear' });
    await log.next('input_audio_buffer.cleared');
    client.send({ type: 'input_audio_buffer.commit', event_id: 'commit-2' });
    await log.next('error', (e) => e.error.event_id === 'commit-2');
    appendAll(client, speech);
    client.send({ type: 'input_audio_buffer.commit' });
    assert.equal((await log.next('conversation.item.input_audio_transcription.completed')).transcript, SENSEVOICE_TEXT);
    client.close();
  });
});

/** 24 kHz 16-bit PCM → 8 kHz G.711, as a telephone line carries it. */
async function g711(law: 'mulaw' | 'alaw'): Promise<Buffer> {
  const { encodeG711 } = await import('../src/realtime/g711.js');
  const { StreamResampler } = await import('../src/audio/resample-stream.js');
  const floats = new Float32Array(speech.length / 2).map((_, i) => speech.readInt16LE(i * 2) / 32768);
  const resampler = new StreamResampler(24000, 8000);
  return encodeG711(Float32Array.from([...resampler.push(floats), ...resampler.flush()]), law);
}

describe('input formats', () => {
  for (const [type, law] of [['audio/pcmu', 'mulaw'], ['audio/pcma', 'alaw']] as const) {
    test(`${type}: 8 kHz G.711 is heard and transcribed`, async () => {
      const { client, log } = await session();
      client.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { format: { type } } } } });
      const updated = await log.next('session.updated');
      assert.deepEqual((updated.session as { audio: { input: { format: unknown } } }).audio.input.format, { type });
      appendAll(client, await g711(law), 800);
      assert.equal((await log.next('conversation.item.input_audio_transcription.completed')).transcript, SENSEVOICE_TEXT);
      client.close();
    });
  }

  test('a WAV file or an odd byte count where raw PCM was declared: an error naming what to send', async () => {
    const { client, log } = await session();
    const { encodeWav } = await import('../src/audio/wav.js');
    const wav = encodeWav({ samples: new Float32Array(2400), sampleRate: 24000 });
    client.send({ type: 'input_audio_buffer.append', audio: wav.toString('base64'), event_id: 'wav' });
    const wrong = await log.next('error', (e) => e.error.event_id === 'wav');
    assert.equal(wrong.error.code, 'invalid_audio_format');
    assert.match(wrong.error.message, /WAV file.*16-bit little-endian mono PCM at 24 kHz/);
    client.send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(3).toString('base64'), event_id: 'odd' });
    assert.match((await log.next('error', (e) => e.error.event_id === 'odd')).error.message, /odd number of bytes/);
    client.send({ type: 'input_audio_buffer.append', audio: 'not base64!', event_id: 'b64' });
    assert.equal((await log.next('error', (e) => e.error.event_id === 'b64')).error.param, 'audio');
    // Still open and still working.
    appendAll(client, speech);
    assert.equal((await log.next('conversation.item.input_audio_transcription.completed')).transcript, SENSEVOICE_TEXT);
    client.close();
  });

  test('session.update with a rate other than 24 kHz, semantic VAD, or a text-to-speech model is refused with its param', async () => {
    const { client, log } = await session();
    client.send({ type: 'session.update', event_id: 'rate', session: { type: 'transcription', audio: { input: { format: { type: 'audio/pcm', rate: 16000 as 24000 } } } } });
    const rate = await log.next('error', (e) => e.error.event_id === 'rate');
    assert.equal(rate.error.param, 'session.audio.input.format.rate');
    assert.match(rate.error.message, /24000/);
    client.send({ type: 'session.update', event_id: 'semantic', session: { type: 'transcription', audio: { input: { turn_detection: { type: 'semantic_vad' } } } } });
    assert.match((await log.next('error', (e) => e.error.event_id === 'semantic')).error.message, /server_vad/);
    client.send({ type: 'session.update', event_id: 'tts', session: { type: 'transcription', audio: { input: { transcription: { model: 'kokoro' } } } } });
    assert.equal((await log.next('error', (e) => e.error.event_id === 'tts')).error.code, 'wrong_model_task');
    client.send({ type: 'session.update', event_id: 'lang', session: { type: 'transcription', audio: { input: { transcription: { language: 'xx' } } } } });
    assert.equal((await log.next('error', (e) => e.error.event_id === 'lang')).error.code, 'unsupported_language');
    assert.equal(log.of('session.updated').length, 0, 'a refused update changes nothing');
    client.close();
  });
});

describe('bad clients', () => {
  test('not JSON, unknown events and binary frames get error events; five in a row close the session', async () => {
    const { client, log } = await session();
    const socket = rawSocket(client);
    const done = closed(client);
    socket.send('{not json');
    assert.equal((await log.next('error')).error.code, 'invalid_json');
    socket.send(JSON.stringify({ type: 'response.create' }));
    assert.match((await log.next('error', (e) => e.error.code === 'invalid_event')).error.message, /session\.update/);
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    socket.send('[]');
    socket.send('null');
    const { code, reason } = await done;
    assert.equal(code, 1008);
    assert.match(reason, /5 bad events in a row/);
    assert.equal(log.of('error').length, 5);
  });

  test('audio far faster than real time: dropped with an error, then the session is closed', async () => {
    const { client, log } = await session();
    const done = closed(client);
    const second = Buffer.alloc(48000);
    for (let i = 0; i < 10; i += 1) client.send({ type: 'input_audio_buffer.append', audio: second.toString('base64') });
    for (let i = 0; i < 5; i += 1) client.send({ type: 'input_audio_buffer.append', audio: second.toString('base64') });
    const { code, reason } = await done;
    assert.equal(code, 1008);
    assert.match(reason, /audio_too_fast/);
    assert.match(log.of('error')[0]!.error.message, /faster than real time/);
  });

  test('a session with no events for the idle timeout is told and closed', async () => {
    const { client, log } = await session();
    const { code, reason } = await closed(client);
    assert.equal(code, 1000);
    assert.match(reason, /idle/);
    assert.equal(log.of('error')[0]!.error.code, 'session_idle_timeout');
  });

  test('a client that disconnects mid-turn frees its place: the bounded sessions open again', async () => {
    // One instance and a queue of one: two sessions per model.
    const a = await session();
    const b = await session();
    const c = browserClient(app, KEY);
    const log = new EventLog(c);
    const refused = await closed(c);
    assert.equal(refused.code, 1013);
    assert.equal(log.of('error')[0]!.error.code, 'server_busy');
    appendAll(a.client, speech.subarray(0, speech.length / 2));
    await a.log.next('input_audio_buffer.speech_started');
    a.client.close();
    b.client.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const d = await session();
    appendAll(d.client, speech);
    assert.equal((await d.log.next('conversation.item.input_audio_transcription.completed')).transcript, SENSEVOICE_TEXT);
    d.client.close();
  });
});

describe('opening a session', () => {
  test('the Node client with Authorization: Bearer and ?model=', async () => {
    const client = nodeClient(app, KEY, 'sensevoice');
    const log = new EventLog(client);
    const created = await log.next('session.created');
    assert.equal((created.session as { audio: { input: { transcription: { model: string } } } }).audio.input.transcription.model, 'sensevoice');
    client.close();
  });

  test('the key as ?api_key= works; no key, or a wrong one, is refused before the upgrade', async () => {
    const url = baseUrl(app).replace('http', 'ws') + '/realtime?intent=transcription&model=sensevoice';
    const ok = new WebSocket(`${url}&api_key=${KEY}`);
    await new Promise((resolve, reject) => (ok.once('open', resolve), ok.once('error', reject)));
    ok.close();
    for (const bad of [url, `${url}&api_key=wrong`]) assert.equal((await refusedUpgrade(bad)).status, 401);
    assert.equal((await refusedUpgrade(url, { protocols: ['realtime', 'openai-insecure-api-key.wrong'] })).status, 401);
  });

  test('a refused upgrade closes its connection, even when the client would keep it open', async () => {
    const { port } = new URL(baseUrl(app));
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /v1/realtime?intent=transcription HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk));
    await once(socket, 'end', { signal: AbortSignal.timeout(5000) });
    assert.match(answer, /^HTTP\/1\.1 401/);
    socket.destroy();
  });

  test('an intent other than transcription, or an unknown model, is a plain HTTP error', async () => {
    const url = baseUrl(app).replace('http', 'ws') + '/realtime';
    const status = (query: string) => refusedUpgrade(`${url}?${query}`, { headers: { authorization: `Bearer ${KEY}` } });
    const conversation = await status('model=gpt-realtime&intent=conversation');
    assert.equal(conversation.status, 400);
    assert.equal(JSON.parse(conversation.body).error.code, 'unsupported_intent');
    assert.equal((await status('model=nobody')).status, 404);
    assert.equal((await status('')).status, 400);
  });
});

test('the session answers with the realtime subprotocol, as browsers require', async () => {
  const { client } = await session();
  await opened(client);
  assert.equal(rawSocket(client).protocol, 'realtime');
  client.close();
});
