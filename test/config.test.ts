import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, DEFAULT_CONFIG, resolveConfig } from '../src/config.js';

test('defaults < environment < flags', () => {
  assert.deepEqual(resolveConfig({}, {}), DEFAULT_CONFIG);
  const fromEnv = resolveConfig({}, { VOCABLE_PORT: '9001', VOCABLE_MODELS_DIR: '/srv/models', VOCABLE_API_KEY: 'k1' });
  assert.equal(fromEnv.port, 9001);
  assert.equal(fromEnv.modelsDir, '/srv/models');
  assert.equal(fromEnv.apiKey, 'k1');
  const fromFlags = resolveConfig({ port: '9002', apiKey: 'k2', host: '127.0.0.1' }, { VOCABLE_PORT: '9001', VOCABLE_API_KEY: 'k1' });
  assert.equal(fromFlags.port, 9002);
  assert.equal(fromFlags.apiKey, 'k2');
  assert.equal(fromFlags.host, '127.0.0.1');
});

test('a bad value names the setting and its variable', () => {
  assert.throws(() => resolveConfig({ port: 'eighty' }, {}), (e: unknown) => e instanceof ConfigError && /port.*VOCABLE_PORT/.test(e.message));
  assert.throws(() => resolveConfig({}, { VOCABLE_MAX_QUEUE: '-1' }), (e: unknown) => e instanceof ConfigError && /maxQueue.*VOCABLE_MAX_QUEUE/.test(e.message));
});
