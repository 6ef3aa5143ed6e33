/** `npm start`'s entry point: flags reach the server, it listens, answers, and stops on SIGTERM. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixtureModelsDir } from '../fixtures/cache.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

test('vocable serve --host --port --models-dir --api-key starts a working server', async () => {
  const modelsDir = await fixtureModelsDir();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', '0', '--models-dir', modelsDir, '--api-key', 'cli-key'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${log}`)));
    });
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assert.equal((await fetch(`${url}/v1/models`)).status, 401);
    const models = (await (await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer cli-key' } })).json()) as { data: unknown[] };
    assert.equal(models.data.length, 4);
    assert.match(log, /models in .*kokoro \(Kokoro\)/);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a bad setting stops the CLI with a message naming it', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', 'eighty'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = await once(child, 'exit');
  assert.equal(code, 2);
  assert.match(stderr, /Invalid setting port .*VOCABLE_PORT/);
});
