import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, resolveConfig } from '../src/config.js';

test('with nothing set, the server is what the README promises: this machine only, port 8000, no key, OpenAI\'s 4,096-character input', () => {
  const config = resolveConfig({}, {});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8000);
  assert.equal(config.apiKey, undefined);
  assert.equal(config.allowOpen, false);
  assert.equal(config.maxInputChars, 4096);
});

test('config file < environment < flags', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vocable-config-'));
  try {
    const file = join(dir, 'vocable.json');
    await writeFile(file, JSON.stringify({ port: 9000, modelsDir: '/from/file', apiKey: 'k0', maxQueue: 3 }));
    const fromFile = resolveConfig({ config: file }, {});
    assert.deepEqual([fromFile.port, fromFile.modelsDir, fromFile.apiKey, fromFile.maxQueue], [9000, '/from/file', 'k0', 3]);
    const overridden = resolveConfig({ apiKey: 'k2' }, { VOCABLE_CONFIG: file, VOCABLE_PORT: '9001', VOCABLE_API_KEY: 'k1' });
    assert.deepEqual([overridden.port, overridden.modelsDir, overridden.apiKey, overridden.maxQueue], [9001, '/from/file', 'k2', 3]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('environment < flags', () => {
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
