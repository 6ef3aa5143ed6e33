/**
 * Streaming speech over a real socket, on fixture models (tiny hand-set graphs in each family's
 * real layout, run by the real sherpa-onnx engine): audio leaves while the rest is made, SSE
 * carries OpenAI's events, long text is chunked in order, and a client that goes away stops
 * the engine.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createParser } from 'eventsource-parser';
import { fixtureModelsDir } from '../fixtures/cache.js';
import type { App } from '../src/server/app.js';
import type { NativeOfflineTts } from '../src/native/sherpa.js';
import { testApp } from './helpers/app.js';
import { base64, sharedClip } from './helpers/audio.js';

let harness: App;
let base: string;
const SENTENCES = (n: number) => Array.from({ length: n }, (_, i) => `This is sentence number ${i + 1} of the long text.`).join(' ');

function post(body: Record<string, unknown>) {
  return fetch(`${base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function bytesOf(body: Record<string, unknown>): Promise<Buffer> {
  const response = await post(body);
  assert.equal(response.status, 200, await response.clone().text());
  return Buffer.from(await response.arrayBuffer());
}

before(async () => {
  harness = await testApp(await fixtureModelsDir());
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(harness.app.server.address() as AddressInfo).port}`;
});
after(() => harness.app.close());

describe('stream_format audio', () => {
  test('pcm streams in chunks and equals the whole-file answer', async () => {
    const body = { model: 'kokoro', input: SENTENCES(6), response_format: 'pcm' };
    const whole = await bytesOf(body);
    const response = await post({ ...body, stream_format: 'audio' });
    assert.equal(response.headers.get('transfer-encoding'), 'chunked');
    assert.equal(response.headers.get('content-type'), 'audio/pcm');
    let parts = 0;
    const received: Buffer[] = [];
    for await (const part of response.body!) {
      parts += 1;
      received.push(Buffer.from(part));
    }
    assert.ok(parts > 1, `${parts} parts`);
    assert.deepEqual(Buffer.concat(received), whole);
  });

  test('the first audio arrives while the model is still making the rest', async () => {
    const response = await post({ model: 'pocket', input: SENTENCES(30), ref_audio: base64(sharedClip('spk1_snt1.wav')), response_format: 'pcm', stream: true });
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.ok(first.value && first.value.length > 0);
    assert.equal(harness.pool.queueDepth('pocket'), 1, 'the engine is still at work');
    while (!(await reader.read()).done);
  });

  test('wav streams with a header whose sizes say "unknown length"', async () => {
    const response = await post({ model: 'kokoro', input: SENTENCES(3), response_format: 'wav', stream_format: 'audio' });
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(bytes.toString('ascii', 0, 4), 'RIFF');
    assert.equal(bytes.readUInt32LE(4), 0xffffffff);
    assert.equal(bytes.readUInt32LE(40), 0xffffffff);
    assert.ok(bytes.length > 44 + 24000, 'holds audio after the header');
  });
});

describe('stream_format sse', () => {
  test('speech.audio.delta events carry base64 audio, then speech.audio.done', async () => {
    const body = { model: 'kokoro', input: SENTENCES(4), response_format: 'pcm' };
    const whole = await bytesOf(body);
    const response = await post({ ...body, stream_format: 'sse' });
    assert.match(String(response.headers.get('content-type')), /^text\/event-stream/);
    const events: { type: string; audio?: string }[] = [];
    const parser = createParser({ onEvent: (event) => events.push(JSON.parse(event.data)) });
    const decoder = new TextDecoder();
    for await (const part of response.body!) parser.feed(decoder.decode(part, { stream: true }));
    assert.ok(events.length > 2);
    assert.equal(events.at(-1)!.type, 'speech.audio.done');
    const deltas = events.slice(0, -1);
    assert.ok(deltas.every((e) => e.type === 'speech.audio.delta' && typeof e.audio === 'string'));
    assert.deepEqual(Buffer.concat(deltas.map((e) => Buffer.from(e.audio!, 'base64'))), whole);
  });

  test('an error before any audio is a plain OpenAI error, not a broken stream', async () => {
    const response = await post({ model: 'pocket', input: 'Hi', stream_format: 'sse' });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { param: string } }).error.param, 'ref_audio');
  });
});

describe('long text', () => {
  test('chunks are synthesised in order and joined with a short silence', async () => {
    const a = 'The first sentence is here.';
    const b = 'And then a second one follows it.';
    const length = async (input: string) => (await bytesOf({ model: 'kokoro', input, response_format: 'pcm' })).length / 2;
    assert.equal(await length(`${a} ${b}`), (await length(a)) + (await length(b)) + 0.1 * 24000);
  });

  test('an input of the full 4096 characters is spoken', async () => {
    const input = SENTENCES(100).slice(0, 4096);
    const pcm = await bytesOf({ model: 'kokoro', input, response_format: 'pcm' });
    assert.ok(pcm.length / 2 / 24000 > 60, 'more than a minute of audio');
  });
});

test('sample_rate is honoured by resampling', async () => {
  const response = await post({ model: 'kokoro', input: SENTENCES(2), response_format: 'pcm', sample_rate: 16000 });
  assert.equal(response.headers.get('x-sample-rate'), '16000');
  const at16k = Buffer.from(await response.arrayBuffer()).length / 2;
  const at24k = (await bytesOf({ model: 'kokoro', input: SENTENCES(2), response_format: 'pcm' })).length / 2;
  assert.ok(Math.abs(at16k / at24k - 2 / 3) < 0.01, `${at16k} vs ${at24k} samples`);
});

describe('a client that goes away', () => {
  const ffmpegChildren = () =>
    execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n').filter((c) => c.includes('ffmpeg')).length;
  /** Counts the engine's synthesis calls (one per text chunk), to tell a stopped job from a finished one without timing it. */
  let engineCalls = 0;
  before(() => {
    const runTts = harness.pool.runTts.bind(harness.pool);
    harness.pool.runTts = ((id: string, job: (engine: NativeOfflineTts) => Promise<unknown>) =>
      runTts(id, (engine) =>
        job(
          new Proxy(engine, {
            get(target, key) {
              if (key === 'generateAsync') return (request: Parameters<NativeOfflineTts['generateAsync']>[0]) => ((engineCalls += 1), target.generateAsync(request));
              const value: unknown = Reflect.get(target, key);
              return typeof value === 'function' ? value.bind(target) : value;
            },
          }),
        ),
      )) as typeof harness.pool.runTts;
  });
  // aac is encoded by an ffmpeg child process: it must not outlive the request.
  for (const format of ['pcm', 'aac'] as const) {
    test(`stops the engine and frees the model (${format})`, async () => {
      const body = { model: 'pocket', input: SENTENCES(60), ref_audio: base64(sharedClip('spk1_snt2.wav')), response_format: format, stream: true };
      engineCalls = 0;
      await bytesOf(body);
      const fullCalls = engineCalls;

      engineCalls = 0;
      // Counted when the client goes away: how many chunks ran before the first byte reached it
      // depends on the encoder's buffering and the machine's load, not on stopping.
      let atDisconnect = 0;
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          res.once('data', () => {
            atDisconnect = engineCalls;
            req.destroy();
            resolve();
          });
        });
        req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
        req.end(JSON.stringify(body));
      });
      while (harness.pool.queueDepth('pocket') > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.ok(fullCalls >= 6, `the full request runs many chunks (${fullCalls})`);
      assert.ok(engineCalls < fullCalls, `the engine stopped early (${engineCalls} of ${fullCalls} chunks)`);
      assert.ok(engineCalls - atDisconnect <= 2, `at most the chunk under way (and one the server had not yet seen end) after the client left: ${atDisconnect} then ${engineCalls}`);

      for (let i = 0; i < 100 && ffmpegChildren() > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(ffmpegChildren(), 0, 'no encoder process left behind');

      const next = await post({ model: 'pocket', input: 'Next in line.', ref_audio: base64(sharedClip('spk1_snt2.wav')), response_format: 'pcm' });
      assert.equal(next.status, 200);
      await next.arrayBuffer();
    });
  }
});
