/** The fixture cache is keyed on every input of the fixtures, so a stale cache cannot survive a change to any of them. */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixtureInputsHash, fixtureModelsDir } from '../fixtures/cache.js';
import { SILERO_VAD_MODEL } from '../fixtures/index.js';
import { discoverModels } from '../src/engine/discovery.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

test('the cache key changes with the Silero VAD weights, a new data file, or a generator source', async () => {
  const copy = await mkdtemp(join(tmpdir(), 'vocable-fixture-key-'));
  try {
    await cp(FIXTURES, copy, { recursive: true });
    const before = await fixtureInputsHash(copy);
    assert.equal(before, await fixtureInputsHash(copy), 'the key is stable while nothing changes');

    const vad = join(copy, 'data', 'silero-vad', 'silero_vad.onnx');
    const weights = await readFile(vad);
    weights.writeUInt8(weights.readUInt8(0) ^ 1, 0);
    await writeFile(vad, weights);
    const afterVad = await fixtureInputsHash(copy);
    assert.notEqual(afterVad, before);

    await writeFile(join(copy, 'data', 'extra.bin'), 'x');
    const afterData = await fixtureInputsHash(copy);
    assert.notEqual(afterData, afterVad);

    await writeFile(join(copy, 'kokoro.ts'), `${await readFile(join(copy, 'kokoro.ts'), 'utf8')}\n`);
    assert.notEqual(await fixtureInputsHash(copy), afterData);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
});

test('the fixture models directory carries the real Silero VAD from the repository, found by discovery', async () => {
  const dir = await fixtureModelsDir();
  const discovery = await discoverModels(dir);
  assert.equal(discovery.vadModel, join(dir, 'silero-vad', 'silero_vad.onnx'));
  assert.deepEqual(await readFile(discovery.vadModel), await readFile(SILERO_VAD_MODEL));
});
