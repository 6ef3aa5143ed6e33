/**
 * GET /v1/realtime?intent=transcription, driven by the official `openai` SDK's realtime clients
 * against a listening server: the fixture SenseVoice model (it says "the quick brown fox" for
 * any speech) and the real Silero VAD on real recorded speech.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import { testApp } from './helpers/app.js';
import { appendAll, baseUrl, browserClient, closed, EventLog, nodeClient, opened, speechPcm24k } from './helpers/realtime.js';

const KEY = 'sk-vocable-realtime';
let app: FastifyInstance;
let speech: Buffer;

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir(), { apiKey: KEY, maxQueue: 1 }, { live: { idleTimeoutMs: 1500, deltaIntervalMs: 200 } }));
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
