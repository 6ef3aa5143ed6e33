import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { testApp } from './helpers/app.js';
import { rawRequest } from './helpers/raw-http.js';

let app: FastifyInstance;
let port: number;
before(async () => {
  ({ app } = await testApp(await fixtureModelsDir()));
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
after(() => app.close());

for (const target of ['/v1/realtime?intent=transcription', '/v1/text-to-speech/af_heart/stream-input?model_id=kokoro']) {
  test(`a plain GET of the WebSocket route ${target.split('?')[0]} gets an error in the API's shape saying to upgrade`, async () => {
    const response = await rawRequest(port, 'GET', target);
    assert.equal(response.status, 404);
    const body = JSON.parse(response.body) as { error: { message: string; type: string; code: string; param: null } };
    assert.equal(body.error.code, 'not_found');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /WebSocket route.*Upgrade: websocket/);
  });
}

for (const target of ['/health', '/openapi.json', '/v1/models']) {
  test(`a WebSocket handshake at ${target}, which is no WebSocket route, is refused over HTTP, not switched and dropped`, async () => {
    const response = await rawRequest(port, 'GET', target, { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    assert.equal(response.status, 400);
    const body = JSON.parse(response.body) as { error: { message: string; code: string } };
    assert.equal(body.error.code, 'invalid_request');
    assert.match(body.error.message, /not a WebSocket route/);
  });
}
