import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import type { Config } from '../src/config.js';
import { testApp } from './helpers/app.js';

/** Loopback only: the flood comes from other 127.x addresses than the probe, as distinct clients would. */
const HOST = '127.0.0.1';
/** Bounds each wait for the server to act, so a missing limit fails the test instead of hanging it. */
const GIVE_UP_MS = 8000;

async function listening(overrides: Partial<Config>): Promise<{ app: FastifyInstance; port: number }> {
  const { app } = await testApp(await fixtureModelsDir(), overrides);
  await app.listen({ host: HOST, port: 0 });
  return { app, port: (app.server.address() as AddressInfo).port };
}

interface RawConnection {
  socket: Socket;
  /** Everything the server sent. */
  received: () => string;
  /** Resolves true once the server closes the connection, false if it is still open after GIVE_UP_MS. */
  closed: Promise<boolean>;
}

function open(port: number, localAddress = HOST): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port, localAddress });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    const closed = new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), GIVE_UP_MS);
      socket.once('close', () => {
        clearTimeout(timer);
        done(true);
      });
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** Writes `text` one byte at a time, `everyMs` apart, until it is all sent or the socket closes. */
function dribble(socket: Socket, text: string, everyMs: number): NodeJS.Timeout {
  let at = 0;
  const timer = setInterval(() => {
    if (at >= text.length || socket.destroyed) return clearInterval(timer);
    socket.write(text[at++]!);
  }, everyMs);
  return timer;
}

async function health(port: number): Promise<number> {
  const response = await fetch(`http://${HOST}:${port}/health`, { signal: AbortSignal.timeout(GIVE_UP_MS) });
  await response.arrayBuffer();
  return response.status;
}

describe('slow clients are cut at their deadlines', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    ({ app, port } = await listening({ requestTimeoutSeconds: 1, headersTimeoutSeconds: 1, keepAliveTimeoutSeconds: 0.5 }));
  });
  after(() => app.close());

  test('a body sent a byte at a time gets a 408 and the connection closes', async () => {
    const connection = await open(port);
    connection.socket.write(`POST /v1/audio/speech HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
    const timer = dribble(connection.socket, '"model":"kokoro","input":"' + 'a'.repeat(1000), 200);
    const closed = await connection.closed;
    clearInterval(timer);
    connection.socket.destroy();
    assert.ok(closed, 'the server still holds a connection whose body never finishes');
    assert.match(connection.received(), /^HTTP\/1\.1 408/);
  });

  test('headers sent a byte at a time: the connection closes', async () => {
    const connection = await open(port);
    connection.socket.write('GET /health HTTP/1.1\r\n');
    const timer = dribble(connection.socket, 'X-Slow: ' + 'a'.repeat(1000), 200);
    const closed = await connection.closed;
    clearInterval(timer);
    connection.socket.destroy();
    assert.ok(closed, 'the server still holds a connection whose headers never finish');
    assert.doesNotMatch(connection.received(), /^HTTP\/1\.1 200/);
  });

  test('an idle keep-alive connection is closed after its answer', async () => {
    const connection = await open(port);
    connection.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const closed = await connection.closed;
    connection.socket.destroy();
    assert.match(connection.received(), /^HTTP\/1\.1 200/);
    assert.ok(closed, 'an idle connection stayed open');
  });
});

describe('a flood of slow connections', () => {
  const PER_ADDRESS = 20;
  const GLOBAL = 60;
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    ({ app, port } = await listening({ maxConnections: GLOBAL, maxConnectionsPerAddress: PER_ADDRESS }));
  });
  after(() => app.close());

  /** Opens `count` connections from `address`, each starting a large upload and then sending a byte a second. */
  async function flood(address: string, count: number): Promise<RawConnection[]> {
    const connections: RawConnection[] = [];
    for (let i = 0; i < count; i += 1) {
      const connection = await open(port, address);
      connection.socket.write(`POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000\r\n\r\n`);
      const timer = dribble(connection.socket, '-'.repeat(100), 1000);
      connection.socket.once('close', () => clearInterval(timer));
      connections.push(connection);
    }
    return connections;
  }

  const stillOpen = (connections: RawConnection[]) => connections.filter((c) => !c.socket.destroyed && !c.socket.readableEnded).length;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  test('one address holds at most its share, and /health answers others throughout', async () => {
    const connections = await flood('127.0.0.2', 300);
    try {
      await settle();
      assert.ok(stillOpen(connections) <= PER_ADDRESS, `${stillOpen(connections)} of 300 connections from one address are held (cap ${PER_ADDRESS})`);
      assert.equal(await health(port), 200);
      const other = await flood('127.0.0.3', 5);
      await settle();
      assert.equal(stillOpen(other), 5, 'another address was refused while one address flooded');
      for (const c of other) c.socket.destroy();
    } finally {
      for (const c of connections) c.socket.destroy();
    }
  });

  test('many addresses together hold at most the global cap', async () => {
    const connections: RawConnection[] = [];
    try {
      for (let i = 0; i < 5; i += 1) connections.push(...(await flood(`127.0.1.${i + 1}`, PER_ADDRESS)));
      await settle();
      assert.ok(stillOpen(connections) <= GLOBAL, `${stillOpen(connections)} connections are held (cap ${GLOBAL})`);
    } finally {
      for (const c of connections) c.socket.destroy();
    }
    await settle();
    assert.equal(await health(port), 200, '/health does not answer once the flood has gone');
  });
});

describe('with an API key, a request without it', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    ({ app, port } = await listening({ apiKey: 'sk-test' }));
  });
  after(() => app.close());

  test('gets its 401 before sending its body, and the connection closes without reading it', async () => {
    const connection = await open(port);
    connection.socket.write(`POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 50000000\r\n\r\n`);
    const closed = await connection.closed;
    connection.socket.destroy();
    assert.match(connection.received(), /^HTTP\/1\.1 401/);
    assert.ok(closed, 'the server kept the connection open to read a body it had refused');
  });
});

describe('an upgrade to anything but WebSocket', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    ({ app, port } = await listening({ apiKey: 'sk-test' }));
  });
  after(() => app.close());

  const held = () => new Promise<number>((resolve, reject) => app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

  /** Upgrade requests the server answers over HTTP: by the routes, the key check, or the router itself (a malformed URL, a too-long name). */
  const answered = [
    { upgrade: 'h2c', target: '/v1/models', status: 401 },
    { upgrade: 'foo', target: '/v1/models', status: 401 },
    { upgrade: 'TLS/1.0', target: '/health', status: 400 },
    { upgrade: 'websocket', target: '/openapi.json', status: 400 },
    { upgrade: 'h2c', target: '/v1/voices/%C0%AE', status: 400 },
    { upgrade: 'websocket', target: '/v1/voices/%C0%AE', status: 400 },
    { upgrade: 'h2c', target: `/v1/voices/${'a'.repeat(200)}`, status: 414 },
  ];
  for (const { upgrade, target, status } of answered) {
    test(`(${upgrade} at ${target.slice(0, 24)}) is answered ${status} and its connection closed, not held once the client leaves`, async () => {
      const connection = await open(port);
      connection.socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: ${upgrade}\r\n\r\n`);
      const closed = await connection.closed;
      connection.socket.destroy();
      assert.match(connection.received(), new RegExp(`^HTTP/1\\.1 ${status}`));
      assert.ok(closed, 'the server kept the connection of an answered upgrade open');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await held(), 0, 'the server still holds the connection after the client left');
    });
  }
});
