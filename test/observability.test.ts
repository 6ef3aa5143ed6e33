/**
 * Readiness, Prometheus metrics and request logs, on fixture models (tiny hand-set weights run
 * by the real sherpa-onnx engine: they make tones, not speech) and an empty models folder.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import type { App } from '../src/server/app.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const jfk = sharedClip('jfk.wav');

const speech = (app: FastifyInstance, input: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'kokoro', input, voice: 'af_heart', response_format: 'wav' }, headers });

const transcription = (app: FastifyInstance, fields: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice', ...fields }, { bytes: jfk }) as unknown as string, headers });

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition, failing on any line that is not a comment, a sample or blank. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      assert.match(line, /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /, `comment line: ${line}`);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `sample line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    const value = Number(match[3]);
    // Prometheus parses values as Go floats: NaN in any case, +Inf, -Inf.
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(match[3]!), `sample value: ${line}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** The value of the sample with exactly these labels, or undefined. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels);
  return samples.find((s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v))?.value;
}

async function scrape(app: FastifyInstance, headers: Record<string, string> = {}): Promise<{ text: string; samples: Sample[] }> {
  const response = await app.inject({ method: 'GET', url: '/metrics', headers });
  assert.equal(response.statusCode, 200, response.body);
  assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return { text: response.body, samples: parsePrometheus(response.body) };
}

describe('readiness', () => {
  test('ready with the fixture models installed; /health stays plain liveness', async () => {
    const { app, pool } = await testApp(await fixtureModelsDir());
    const response = await app.inject({ method: 'GET', url: '/ready' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ready', models: pool.list().length, voice_store: { type: 'file', status: 'ok' } });
    assert.ok(pool.list().length > 0);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/health' })).json(), { status: 'ok' });
    await app.close();
  });

  test('an empty models folder → 503 saying to pull a model or add a folder; /health is still 200', async () => {
    const modelsDir = await mkdtemp(join(tmpdir(), 'vocable-empty-models-'));
    const { app } = await testApp(modelsDir);
    const error = assertApiError(await app.inject({ method: 'GET', url: '/ready' }), 503, { code: 'not_ready', message: /pull one .* or put a model folder in/ });
    assert.ok(error.message.includes(modelsDir), 'the message names the folder');
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    await app.close();
    await rm(modelsDir, { recursive: true, force: true });
  });
});

describe('metrics', () => {
  let harness: App;
  let app: FastifyInstance;
  let samples: Sample[];
  let text: string;

  before(async () => {
    harness = await testApp(await fixtureModelsDir());
    app = harness.app;
    assert.equal((await speech(app, 'Hello there.')).statusCode, 200);
    assert.equal((await transcription(app)).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/models/some-random-id-4d7c' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/no/such/path-91e2' })).statusCode, 404);
    ({ text, samples } = await scrape(app));
  });
  after(() => app.close());

  test('requests are counted by route pattern, method and status, with a latency histogram', () => {
    assert.equal(valueOf(samples, 'vocable_http_requests_total', { route: '/v1/audio/speech', method: 'POST', status: '200' }), 1);
    assert.equal(valueOf(samples, 'vocable_http_requests_total', { route: '/v1/audio/transcriptions', method: 'POST', status: '200' }), 1);
    assert.equal(valueOf(samples, 'vocable_http_request_duration_seconds_count', { route: '/v1/audio/speech', method: 'POST' }), 1);
    assert.ok(valueOf(samples, 'vocable_http_request_duration_seconds_sum', { route: '/v1/audio/speech', method: 'POST' })! > 0);
    assert.equal(valueOf(samples, 'vocable_http_request_duration_seconds_bucket', { route: '/v1/audio/speech', method: 'POST', le: '+Inf' }), 1);
  });

  test('ids in paths never become label values: the route pattern, or "unmatched"', () => {
    assert.equal(valueOf(samples, 'vocable_http_requests_total', { route: '/v1/models/:id', method: 'GET', status: '404' }), 1);
    assert.equal(valueOf(samples, 'vocable_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }), 1);
    assert.ok(!text.includes('some-random-id'));
    assert.ok(!text.includes('path-91e2'));
  });

  test('each model counts its requests, with latency and real-time factor', () => {
    for (const labels of [{ model: 'kokoro', task: 'speech' }, { model: 'sensevoice', task: 'transcribe' }]) {
      assert.equal(valueOf(samples, 'vocable_model_requests_total', labels), 1, JSON.stringify(labels));
      assert.equal(valueOf(samples, 'vocable_model_request_duration_seconds_count', labels), 1);
      assert.equal(valueOf(samples, 'vocable_realtime_factor_count', labels), 1);
      assert.ok(valueOf(samples, 'vocable_realtime_factor_sum', labels)! > 0, 'processing seconds / audio seconds');
    }
  });

  test('the pool state is read at scrape time: queue depth, loaded, memory', () => {
    const idle = harness.pool.list().find((m) => m.id !== 'kokoro' && m.id !== 'sensevoice')!;
    assert.equal(valueOf(samples, 'vocable_queue_depth', { model: 'kokoro' }), 0);
    assert.equal(valueOf(samples, 'vocable_model_loaded', { model: 'kokoro' }), 1);
    assert.equal(valueOf(samples, 'vocable_model_loaded', { model: 'sensevoice' }), 1);
    assert.equal(valueOf(samples, 'vocable_model_loaded', { model: idle.id }), 0);
    assert.equal(valueOf(samples, 'vocable_model_memory_bytes', { model: 'kokoro' }), harness.pool.state('kokoro').memory_bytes);
    assert.equal(valueOf(samples, 'vocable_model_memory_bytes', { model: idle.id }), 0);
  });

  test("Node's process metrics are included", () => {
    assert.ok(samples.some((s) => s.name === 'process_cpu_user_seconds_total'));
    assert.ok(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes'));
  });

  test('each app has its own registry', async () => {
    const other = await testApp(await fixtureModelsDir());
    const fresh = await scrape(other.app);
    assert.equal(valueOf(fresh.samples, 'vocable_http_requests_total', { route: '/v1/audio/speech', method: 'POST', status: '200' }), undefined);
    await other.app.close();
  });
});

describe('request ids', () => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await testApp(await fixtureModelsDir()));
  });
  after(() => app.close());

  test("a caller's sane X-Request-Id is echoed", async () => {
    const response = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'trace-42.a:b_c' } });
    assert.equal(response.headers['x-request-id'], 'trace-42.a:b_c');
  });

  test('without one, or with one that is not a short token, a UUID is made and echoed, on errors too', async () => {
    for (const headers of [{}, { 'x-request-id': 'has spaces "and quotes"' }, { 'x-request-id': 'x'.repeat(300) }]) {
      const response = await app.inject({ method: 'GET', url: '/v1/models/nope', headers });
      assert.equal(response.statusCode, 404);
      assert.match(String(response.headers['x-request-id']), UUID);
    }
  });
});

describe('with an API key configured', () => {
  const KEY = 'sk-observability-secret-5b1e';
  const INPUT_MARKER = 'MARKER-input-9c2f';
  const PROMPT_MARKER = 'MARKER-prompt-3a7d';
  const auth = { authorization: `Bearer ${KEY}` };
  const lines: string[] = [];
  let app: FastifyInstance;

  before(async () => {
    ({ app } = await testApp(await fixtureModelsDir(), { apiKey: KEY, logLevel: 'info' }, { logDestination: { write: (line) => void lines.push(line) } }));
  });
  after(() => app.close());

  test('/metrics needs the key; /ready and /health do not', async () => {
    assertApiError(await app.inject({ method: 'GET', url: '/metrics' }), 401, { code: 'invalid_api_key' });
    await scrape(app, auth);
    assert.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });

  test('request logs are JSON with the request id, and hold neither the key nor the bodies', async () => {
    lines.length = 0;
    assert.equal((await speech(app, `Hello ${INPUT_MARKER}.`, { ...auth, 'x-request-id': 'speech-req-1' })).statusCode, 200);
    assert.equal((await transcription(app, { prompt: PROMPT_MARKER }, { ...auth, 'x-request-id': 'stt-req-2' })).statusCode, 200);
    const entries = lines.map((line) => JSON.parse(line) as { reqId?: string; req?: { url?: string; method?: string }; res?: { statusCode?: number } });
    for (const id of ['speech-req-1', 'stt-req-2']) {
      const ofRequest = entries.filter((e) => e.reqId === id);
      assert.ok(ofRequest.some((e) => e.req?.method === 'POST'), `incoming request logged for ${id}`);
      assert.ok(ofRequest.some((e) => e.res?.statusCode === 200), `completion logged for ${id}`);
    }
    const log = lines.join('');
    assert.ok(!log.includes(KEY), 'no API key in the logs');
    assert.ok(!log.includes(INPUT_MARKER), 'no speech input in the logs');
    assert.ok(!log.includes(PROMPT_MARKER), 'no form field in the logs');
  });

  test('secret headers are redacted should a log line include them', () => {
    lines.length = 0;
    app.log.info({ headers: { authorization: `Bearer ${KEY}`, 'x-api-key': KEY } }, 'headers');
    assert.ok(!lines.join('').includes(KEY));
    assert.match(lines.join(''), /\[redacted\]/);
  });
});
