/** src/wire is shared with the browser page: types only, so nothing of the server's runs (or is bundled) there. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { transformSync } from 'esbuild';

const WIRE = new URL('../src/wire/', import.meta.url);

test('src/wire holds types only: each file compiles to no JavaScript and imports nothing', async () => {
  const files = (await readdir(WIRE)).filter((name) => name.endsWith('.ts'));
  assert.ok(files.length > 0);
  for (const name of files) {
    const source = await readFile(new URL(name, WIRE), 'utf8');
    const { code } = transformSync(source, { loader: 'ts', format: 'esm' });
    assert.equal(code.trim(), '', `${name} has runtime code`);
    assert.doesNotMatch(source, /^import /m, `${name} imports something`);
  }
});
