import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { rawRequest } from './helpers/raw-http.js';
import { fixtureModelsDir } from '../fixtures/cache.js';

const KEY = 'sk-local-test-key';
const BEARER = { authorization: `Bearer ${KEY}` };

interface RouteEntry {
  method: string;
  url: string;
  public: boolean;
}

/** Every route the app registers, read from Fastify as it builds them, so a new route cannot be left out. */
async function appWithRouteTable(overrides: Parameters<typeof testApp>[1]): Promise<{ app: FastifyInstance; routes: RouteEntry[]; port: number }> {
  const { app } = await testApp(await fixtureModelsDir(), overrides);
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || route.url === '*') continue;
      routes.push({ method, url: route.url, public: route.config?.public === true });
    }
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, routes, port: (app.server.address() as AddressInfo).port };
}

/** A concrete path for a route pattern: each parameter filled with a plain name. */
const concrete = (url: string): string => url.replace(/:(\w+)/g, 'x1');

/** Ways to write the same path that a router may decode back to it, or that a prefix check would miss. */
function disguises(path: string, port: number): string[] {
  const encodeFirst = (segment: string) => (segment ? `%${segment.charCodeAt(0).toString(16)}${segment.slice(1)}` : segment);
  const encodeAll = (segment: string) => [...segment].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
  const segments = path.split('/');
  return [
    path,
    segments.map(encodeFirst).join('/'),
    segments.map(encodeAll).join('/'),
    segments.map((s) => s.replace(/%/g, '%25')).map(encodeFirst).join('/').replace(/%(?!25)/g, '%25'),
    path.toUpperCase(),
    path.replace(/^\/v1/, '/V1'),
    `/.${path}`,
    `/v1/..${path}`,
    `/x/..${path}`,
    `${path}/`,
    `${path}?`,
    `${path}#frag`,
    `//${path.slice(1)}`,
    `http://127.0.0.1:${port}${path}`,
    `http://evil.example${path}`,
    `HTTP://127.0.0.1:${port}${path.replace(/^\/v1/, '/%761')}`,
  ];
}

describe('with an API key configured', () => {
  let app: FastifyInstance;
  let routes: RouteEntry[];
  let port: number;
  before(async () => {
    ({ app, routes, port } = await appWithRouteTable({ apiKey: KEY }));
  });
  after(() => app.close());

  test('the route table has the API routes and only health, readiness and the playground are public', () => {
    const protectedUrls = routes.filter((r) => !r.public).map((r) => `${r.method} ${r.url}`);
    for (const expected of ['POST /v1/audio/speech', 'POST /v1/audio/transcriptions', 'POST /v1/voices', 'GET /v1/voices', 'DELETE /v1/voices/:name', 'GET /metrics']) {
      assert.ok(protectedUrls.includes(expected), `${expected} is protected`);
    }
    const publicPaths = routes.filter((r) => r.public).map((r) => r.url);
    for (const url of publicPaths) assert.ok(['/health', '/ready', '/', '/openapi.json', '/docs'].includes(url) || url.startsWith('/playground/'), `${url} is public on purpose`);
  });

  test('every protected route, however its path is written, answers 401 without the key', async () => {
    let checked = 0;
    for (const route of routes.filter((r) => !r.public)) {
      for (const target of disguises(concrete(route.url), port)) {
        const response = await rawRequest(port, route.method, target, { 'content-type': 'application/json' }, '{}');
        assert.equal(response.status, 401, `${route.method} ${target} answered ${response.status} without a key: ${response.body.slice(0, 200)}`);
        assert.equal((JSON.parse(response.body) as { error: { code: string } }).error.code, 'invalid_api_key');
        checked++;
      }
    }
    assert.ok(checked >= 16 * 10, `checked ${checked} targets`);
  });

  test('the key still opens each protected route, written plainly or percent-encoded', async () => {
    for (const route of routes.filter((r) => !r.public)) {
      const path = concrete(route.url);
      for (const target of [path, path.replace(/^\/v1/, '/%761')]) {
        const response = await rawRequest(port, route.method, target, { ...BEARER, 'content-type': 'application/json' }, '{}');
        assert.notEqual(response.status, 401, `${route.method} ${target} refused the key`);
      }
    }
  });

  test('public routes answer without the key', async () => {
    for (const url of ['/health', '/ready', '/']) {
      const response = await rawRequest(port, 'GET', url);
      assert.ok(response.status !== 401 && response.status !== 403, `${url} answered ${response.status}`);
    }
  });

  test('a /v1 route without a key → 401 saying how to send one', async () => {
    assertApiError(await app.inject({ method: 'GET', url: '/v1/models' }), 401, { code: 'invalid_api_key', message: /Authorization: Bearer/ });
  });

  test('a wrong key, a key of another length, or another scheme → 401', async () => {
    for (const authorization of [`Bearer ${KEY}x`, 'Bearer k', `Basic ${KEY}`, KEY]) {
      const response = await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization } });
      assertApiError(response, 401, { code: 'invalid_api_key' });
    }
  });

  test('speech needs the key too, and works with it', async () => {
    const payload = { model: 'kokoro', input: 'Hello.', voice: 'af_heart' };
    assertApiError(await app.inject({ method: 'POST', url: '/v1/audio/speech', payload }), 401);
    const ok = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload, headers: BEARER });
    assert.equal(ok.statusCode, 200);
  });

  test('unknown routes ask for the key before saying 404', async () => {
    assertApiError(await app.inject({ method: 'GET', url: '/v1/secret' }), 401);
    assertApiError(await app.inject({ method: 'GET', url: '/secret' }), 401);
    assertApiError(await app.inject({ method: 'GET', url: '/v1/secret', headers: BEARER }), 404);
  });

  test('WebSocket upgrades may carry the key as a subprotocol or a query parameter; plain requests may not', async () => {
    const upgrade = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    const viaProtocol = await rawRequest(port, 'GET', '/v1/models', { ...upgrade, 'sec-websocket-protocol': `realtime, openai-insecure-api-key.${KEY}` });
    assert.notEqual(viaProtocol.status, 401);
    const wrongProtocol = await rawRequest(port, 'GET', '/v1/models', { ...upgrade, 'sec-websocket-protocol': 'realtime, openai-insecure-api-key.nope' });
    assert.equal(wrongProtocol.status, 401);
    assert.notEqual((await rawRequest(port, 'GET', `/v1/models?api_key=${KEY}`, upgrade)).status, 401);
    assert.equal((await rawRequest(port, 'GET', `/v1/models?api_key=${KEY}`)).status, 401, 'a key in the URL counts only on a WebSocket upgrade');
    assert.equal((await rawRequest(port, 'GET', '/v1/models', { 'sec-websocket-protocol': `openai-insecure-api-key.${KEY}` })).status, 401);
  });

  test("ElevenLabs clients' xi-api-key header is a key too", async () => {
    assert.equal((await rawRequest(port, 'GET', '/v1/models', { 'xi-api-key': KEY })).status, 200);
    assert.equal((await rawRequest(port, 'GET', '/v1/models', { 'xi-api-key': 'wrong' })).status, 401);
  });

  test('a voice cannot be created through an encoded path without the key, and none is left', async () => {
    const created = await rawRequest(port, 'POST', '/%761/voices', { 'content-type': 'application/json' }, JSON.stringify({ name: 'intruder', audio: 'UklGRg==' }));
    assert.equal(created.status, 401);
    const list = await app.inject({ method: 'GET', url: '/v1/voices', headers: BEARER });
    assert.deepEqual((list.json() as { data: unknown[] }).data, []);
  });
});

test('keys in a URL never reach the log', async () => {
  const lines: string[] = [];
  const { app } = await testApp(await fixtureModelsDir(), { apiKey: KEY, logLevel: 'info' }, { logDestination: { write: (line) => lines.push(line) } });
  await app.inject({ method: 'GET', url: `/v1/models?api_key=${KEY}&xi_api_key=${KEY}`, headers: { upgrade: 'websocket', 'sec-websocket-protocol': `openai-insecure-api-key.${KEY}` } });
  await app.close();
  assert.ok(lines.some((line) => line.includes('api_key=[redacted]')), 'the request was logged');
  assert.ok(!lines.some((line) => line.includes(KEY)), 'no line holds the key');
});

describe('without an API key', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    ({ app, port } = await appWithRouteTable({ corsOrigins: ['https://app.example'] }));
  });
  after(() => app.close());

  test('/v1 routes are open to local clients', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/v1/models' })).statusCode, 200);
    assert.equal((await rawRequest(port, 'GET', '/v1/voices')).status, 200);
  });

  test('a page on another site cannot create a voice (form POST needs no preflight), and nothing is created', async () => {
    const body = JSON.stringify({ name: 'planted', audio: 'UklGRg==' });
    const browserHeaders: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: `http://localhost:${port + 1}` }];
    for (const headers of browserHeaders) {
      for (const target of ['/v1/voices', '/%761/voices']) {
        const response = await rawRequest(port, 'POST', target, { 'content-type': 'application/json', ...headers }, body);
        assert.equal(response.status, 403, `${JSON.stringify(headers)} ${target}: ${response.status}`);
        const error = (JSON.parse(response.body) as { error: { code: string; message: string } }).error;
        assert.equal(error.code, 'cross_site_request');
        assert.match(error.message, /--cors-origins|API key/);
      }
    }
    for (const method of ['DELETE', 'PATCH']) assert.equal((await rawRequest(port, method, '/v1/voices/x1', { origin: 'https://evil.example' })).status, 403);
    const list = await rawRequest(port, 'GET', '/v1/voices');
    assert.deepEqual((JSON.parse(list.body) as { data: unknown[] }).data, []);
  });

  test('a cross-site WebSocket upgrade is refused like a POST', async () => {
    const response = await rawRequest(port, 'GET', '/v1/models', { origin: 'https://evil.example', upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    assert.equal(response.status, 403);
  });

  test('a DNS-rebinding page (a Host that is some other name) cannot read or write the API', async () => {
    for (const method of ['GET', 'POST']) {
      const response = await rawRequest(port, method, '/v1/voices', { host: `rebind.evil.example:${port}`, 'content-type': 'application/json' }, '{}');
      assert.equal(response.status, 403, `${method}: ${response.status}`);
    }
    assert.equal((await rawRequest(port, 'GET', '/health', { host: 'rebind.evil.example' })).status, 200);
  });

  test('the same origin, and requests with no browser headers, pass', async () => {
    const same = await rawRequest(port, 'POST', '/v1/voices', { origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' }, '{}');
    assert.equal(same.status, 400);
    const cli = await rawRequest(port, 'POST', '/v1/voices', { 'content-type': 'application/json' }, '{}');
    assert.equal(cli.status, 400);
  });

  test('CORS headers go to the allowed origin only; its preflight and requests pass', async () => {
    const preflight = await rawRequest(port, 'OPTIONS', '/v1/voices', { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example');
    const denied = await rawRequest(port, 'OPTIONS', '/v1/voices', { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    assert.equal(denied.headers['access-control-allow-origin'], undefined);
    const read = await rawRequest(port, 'GET', '/v1/models', { origin: 'https://evil.example' });
    assert.equal(read.headers['access-control-allow-origin'], undefined, 'no CORS header: the other site cannot read the answer');
    const notPreflight = await rawRequest(port, 'OPTIONS', '/v1/voices', { origin: 'https://app.example' });
    assert.equal(notPreflight.status, 204, 'an OPTIONS without preflight headers is answered like one, not with a plain-text 400');
    assert.equal(notPreflight.body, '');
    const allowed = await rawRequest(port, 'POST', '/v1/voices', { origin: 'https://app.example', 'content-type': 'application/json' }, '{}');
    assert.equal(allowed.status, 400);
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
  });
});
