import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { fixtureModelsDir } from '../fixtures/cache.js';

const KEY = 'sk-local-test-key';

describe('with an API key configured', () => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await testApp(await fixtureModelsDir(), { apiKey: KEY }));
  });
  after(() => app.close());

  test('health stays open', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
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
    const ok = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload, headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(ok.statusCode, 200);
  });

  test('unknown /v1 routes ask for the key before saying 404', async () => {
    assertApiError(await app.inject({ method: 'GET', url: '/v1/secret' }), 401);
    assertApiError(await app.inject({ method: 'GET', url: '/v1/secret', headers: { authorization: `Bearer ${KEY}` } }), 404);
  });
});

describe('without an API key', () => {
  test('/v1 routes are open', async () => {
    const { app } = await testApp(await fixtureModelsDir());
    assert.equal((await app.inject({ method: 'GET', url: '/v1/models' })).statusCode, 200);
    await app.close();
  });
});
