/** `npm start`'s entry point: flags reach the server, it listens, answers, and stops on SIGTERM. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { discoverModels } from '../src/engine/discovery.js';
import { runCli, startServer } from './helpers/cli.js';

test('vocable serve --host --port --models-dir --api-key starts a working server', async () => {
  const modelsDir = await fixtureModelsDir();
  const server = await startServer(['--models-dir', modelsDir, '--api-key', 'cli-key']);
  try {
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    assert.equal((await fetch(`${server.url}/v1/models`)).status, 401);
    const models = (await (await fetch(`${server.url}/v1/models`, { headers: { authorization: 'Bearer cli-key' } })).json()) as { data: { id: string; alias_for?: string }[] };
    const installed = (await discoverModels(modelsDir)).models.map((m) => m.id);
    assert.deepEqual(models.data.filter((m) => m.alias_for === undefined).map((m) => m.id).sort(), installed.sort());
    assert.match(server.log(), /models in .*kokoro \(Kokoro\)/);
    assert.doesNotMatch(server.log(), /pulling the defaults/, 'a models folder with models pulls nothing');
    assert.equal(await server.stop(), 0);
  } finally {
    server.child.kill('SIGKILL');
  }
});

test('a bad setting stops the CLI with a message naming it', async () => {
  const run = await runCli(['serve', '--port', 'eighty']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Invalid setting port .*VOCABLE_PORT/);
});
