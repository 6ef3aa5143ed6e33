/**
 * Shedding load cheaply and early (issue 14): when every model a route could use is at capacity,
 * or the bodies held for requests in flight reach their bound, a request gets its 503 with
 * Retry-After as soon as its headers arrive, and its body is never read.
 */
import assert from 'node:assert/strict';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import type { Config } from '../src/config.js';
import type { ModelPool } from '../src/engine/model-pool.js';
import { testApp } from './helpers/app.js';

/** Bounds each wait for the server, so a request it never answers fails the test instead of hanging it. */
const GIVE_UP_MS = 5000;

interface Answer {
  head: string;
  /** Whether the server closed the connection after answering. */
  closed: boolean;
}

/** Sends only the headers of a POST declaring `length` body bytes, and waits for what the server says. */
function headersOnly(port: number, path: string, length: number, contentType: string): { socket: Socket; answer: Promise<Answer> } {
  const socket = connect({ host: '127.0.0.1', port });
  socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${length}\r\n\r\n`);
  socket.setEncoding('latin1');
  let data = '';
  socket.on('data', (chunk: string) => (data += chunk));
  socket.on('error', () => undefined);
  const answer = new Promise<Answer>((resolve) => {
    const timer = setTimeout(() => resolve({ head: data, closed: false }), GIVE_UP_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ head: data, closed: true });
    });
  });
  return { socket, answer };
}

async function listening(overrides: Partial<Config>): Promise<{ app: FastifyInstance; pool: ModelPool; port: number }> {
  const { app, pool } = await testApp(await fixtureModelsDir(), overrides);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, pool, port: (app.server.address() as AddressInfo).port };
}

/** Takes every place on every model of `task`, as requests in flight would; returns the releases. */
function fill(pool: ModelPool, task: 'tts' | 'stt'): (() => void)[] {
  return pool.list().filter((m) => m.task === task).map((m) => pool.admit(m.id));
}

describe('every model of a route at capacity', { timeout: 60_000 }, () => {
  let app: FastifyInstance;
  let pool: ModelPool;
  let port: number;
  before(async () => ({ app, pool, port } = await listening({ maxQueue: 0 })));
  after(() => app.close());

  for (const [task, path, type] of [
    ['tts', '/v1/audio/speech', 'application/json'],
    ['stt', '/v1/audio/transcriptions', 'multipart/form-data; boundary=x'],
  ] as const) {
    test(`${path}: a 503 with Retry-After before the body is sent, and the connection closes`, async () => {
      const releases = fill(pool, task);
      try {
        const { socket, answer } = headersOnly(port, path, 5_000_000, type);
        const { head, closed } = await answer;
        socket.destroy();
        assert.match(head, /^HTTP\/1\.1 503/, `no early answer: ${JSON.stringify(head.slice(0, 80))}`);
        assert.match(head, /\r\nretry-after: \d+\r\n/i);
        assert.match(head, /server_busy/);
        assert.ok(closed, 'the server kept the connection to read a body it had refused');
      } finally {
        for (const release of releases) release();
      }
    });
  }

  test('a burst of refused requests is told to come back at different times, in retry-after-ms', async () => {
    const releases = fill(pool, 'tts');
    try {
      const burst = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const response = await fetch(`http://127.0.0.1:${port}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
          await response.arrayBuffer();
          assert.equal(response.status, 503);
          const ms = Number(response.headers.get('retry-after-ms'));
          assert.ok(ms > 0 && ms <= Number(response.headers.get('retry-after')) * 1000, `retry-after-ms ${ms}, Retry-After ${response.headers.get('retry-after')}`);
          return ms;
        }),
      );
      // Told the same wait, the burst would come back together and be refused together again.
      const waits = burst.sort((a, b) => a - b);
      for (let i = 1; i < waits.length; i += 1) assert.ok(waits[i]! - waits[i - 1]! >= 10, `waits ${waits.join(', ')} ms`);
    } finally {
      for (const release of releases) release();
    }
  });

  test('/health, /ready and /metrics answer while every model is full', async () => {
    const releases = [...fill(pool, 'tts'), ...fill(pool, 'stt')];
    try {
      for (const path of ['/health', '/ready', '/metrics']) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(GIVE_UP_MS) });
        assert.equal(response.status, 200, path);
        assert.match(await response.text(), path === '/metrics' ? /vocable_queue_depth\{model="kokoro"\} \d/ : /"status":"(ok|ready)"/, path);
      }
    } finally {
      for (const release of releases) release();
    }
  });

  test('one model with room: the body is read and the request is served', async () => {
    const releases = fill(pool, 'tts');
    releases.pop()!();
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v1/audio/speech`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'kokoro', input: 'Hello.', voice: 'af_heart', stream: false }),
      });
      await response.arrayBuffer();
      // kokoro's place may be the one freed, or the request names a model that is full: either way it was read.
      assert.ok([200, 503].includes(response.status), `status ${response.status}`);
    } finally {
      for (const release of releases) release();
    }
  });

  test('places are given back when requests end, so the next one is served', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'kokoro', input: 'Hello.', voice: 'af_heart', stream: false }),
    });
    await response.arrayBuffer();
    assert.equal(response.status, 200);
  });
});

describe('bodies held for requests in flight', { timeout: 60_000 }, () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => ({ app, port } = await listening({ maxBufferedBytes: 100_000 })));
  after(() => app.close());

  test('past the bound: a 503 before the body is read; within it once the first is gone', async () => {
    const first = headersOnly(port, '/v1/audio/transcriptions', 90_000, 'multipart/form-data; boundary=x');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = headersOnly(port, '/v1/audio/transcriptions', 50_000, 'multipart/form-data; boundary=x');
    const refused = await second.answer;
    second.socket.destroy();
    assert.match(refused.head, /^HTTP\/1\.1 503/);
    assert.match(refused.head, /VOCABLE_MAX_BUFFERED_BYTES/);
    first.socket.destroy();
    await first.answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = headersOnly(port, '/v1/audio/transcriptions', 50_000, 'multipart/form-data; boundary=x');
    third.socket.end();
    const { head } = await third.answer;
    assert.doesNotMatch(head, /^HTTP\/1\.1 503/, 'the first request\'s bytes were never given back');
  });
});

describe('one model at capacity, others of its kind with room', { timeout: 60_000 }, () => {
  let app: FastifyInstance;
  let pool: ModelPool;
  let port: number;
  before(async () => ({ app, pool, port } = await listening({ maxQueue: 0 })));
  after(() => app.close());

  /** Sends a form's `model` field and the start of its file part, never the rest of the declared body. */
  function formStartingWith(model: string): { socket: Socket; answer: Promise<Answer> } {
    const sent = headersOnly(port, '/v1/audio/transcriptions', 5_000_000, 'multipart/form-data; boundary=x');
    sent.socket.write(`--x\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n--x\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF`);
    return sent;
  }

  test('a transcription naming the full model gets its 503 once the form names it, before the file is read', async () => {
    const release = pool.admit('sensevoice');
    try {
      const { socket, answer } = formStartingWith('sensevoice');
      const { head, closed } = await answer;
      socket.destroy();
      assert.match(head, /^HTTP\/1\.1 503/, `no answer before the file: ${JSON.stringify(head.slice(0, 80))}`);
      assert.match(head, /\r\nretry-after: \d+\r\n/i);
      assert.match(head, /sensevoice/);
      assert.ok(closed, 'the server kept the connection to read a file it had refused');
    } finally {
      release();
    }
  });

  test('naming a model with room, the server goes on reading the file', async () => {
    const release = pool.admit('sensevoice');
    try {
      const { socket, answer } = formStartingWith('whisper');
      const { head } = await answer;
      socket.destroy();
      assert.equal(head, '', 'a request for a model with room was answered before its file arrived');
    } finally {
      release();
    }
  });
});
