/** Memory-aware loading on fixture models: LRU unloading under a budget, idle unloading, load/unload routes. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { discoverModels } from '../src/engine/discovery.js';
import type { Config } from '../src/config.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, sharedClip } from './helpers/audio.js';
import { until } from './helpers/until.js';

const clip = base64(sharedClip('spk1_snt1.wav'));
const BODIES: Record<string, Record<string, unknown>> = {
  kokoro: { model: 'kokoro', input: 'Hello.' },
  pocket: { model: 'pocket', input: 'Hello.', ref_audio: clip },
  zipvoice: { model: 'zipvoice', input: 'Hello.', ref_audio: clip, ref_text: 'Words.' },
};

/**
 * The three speech models alone (linked from the fixtures), so that only they count against the
 * budget: with speaker models installed, cloning would also load them to check the clip.
 */
let speechModelsDir: Promise<string> | undefined;
const speechModels = (): Promise<string> =>
  (speechModelsDir ??= (async () => {
    const fixtures = await fixtureModelsDir();
    const dir = await mkdtemp(join(tmpdir(), 'vocable-memory-models-'));
    for (const id of Object.keys(BODIES)) await symlink(join(fixtures, id), join(dir, id));
    return dir;
  })());
after(async () => rm(await speechModels(), { recursive: true, force: true }));

async function sizes(): Promise<Record<string, number>> {
  const { models } = await discoverModels(await speechModels());
  return Object.fromEntries(models.map((m) => [m.id, m.sizeBytes]));
}

async function loaded(app: FastifyInstance): Promise<string[]> {
  const list = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as { data: { id: string; loaded: boolean; alias_for?: string }[] };
  return list.data.filter((m) => m.loaded && m.alias_for === undefined).map((m) => m.id).sort();
}

async function speak(app: FastifyInstance, id: string) {
  return app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { ...BODIES[id], response_format: 'pcm' } });
}

async function withApp(overrides: Partial<Config>, run: (app: FastifyInstance, harness: Awaited<ReturnType<typeof testApp>>) => Promise<void>) {
  const harness = await testApp(await speechModels(), overrides);
  try {
    await run(harness.app, harness);
  } finally {
    await harness.app.close();
  }
}

describe('memory budget', () => {
  test('GET /v1/models shows each model\'s memory and loaded state', async () => {
    const size = await sizes();
    await withApp({}, async (app) => {
      const list = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as { data: { id: string; memory_bytes: number; alias_for?: string }[] };
      for (const model of list.data) assert.equal(model.memory_bytes, size[model.alias_for ?? model.id]);
      assert.ok(size.kokoro! > 1_000_000, 'the Kokoro fixture holds its 1.5 MB style table');
    });
  });

  test('the least recently used idle model unloads to make room', async () => {
    const size = await sizes();
    await withApp({ memoryBudgetBytes: size.kokoro! + size.pocket! + 1 }, async (app) => {
      assert.equal((await speak(app, 'kokoro')).statusCode, 200);
      assert.equal((await speak(app, 'pocket')).statusCode, 200);
      assert.deepEqual(await loaded(app), ['kokoro', 'pocket']);
      assert.equal((await speak(app, 'kokoro')).statusCode, 200, 'kokoro is now the most recently used');
      assert.equal((await speak(app, 'zipvoice')).statusCode, 200);
      assert.deepEqual(await loaded(app), ['kokoro', 'zipvoice'], 'pocket, least recently used, made room');
    });
  });

  test('a model with a job running is never unloaded; the newcomer gets a 503 instead', async () => {
    const size = await sizes();
    await withApp({ memoryBudgetBytes: size.kokoro! + 1 }, async (app, { pool }) => {
      let release!: () => void;
      const busy = pool.run('kokoro', () => new Promise<void>((resolve) => (release = resolve)));
      // The job holds the model once it has loaded and started.
      while (!release) await new Promise((resolve) => setTimeout(resolve, 10));
      assertApiError(await speak(app, 'pocket'), 503, { message: /does not fit the memory budget.*busy/ });
      assert.deepEqual(await loaded(app), ['kokoro']);
      release();
      await busy;
      assert.equal((await speak(app, 'pocket')).statusCode, 200, 'once idle, kokoro makes room');
      assert.deepEqual(await loaded(app), ['pocket']);
    });
  });

  test('a model larger than the whole budget → 503 saying how to raise it', async () => {
    await withApp({ memoryBudgetBytes: 1000 }, async (app) => {
      assertApiError(await speak(app, 'kokoro'), 503, { message: /more than the memory budget.*VOCABLE_MEMORY_BUDGET_BYTES/ });
    });
  });
});

test('a model unused for the idle time unloads, and loads again on the next request', async () => {
  await withApp({ idleUnloadSeconds: 0.2 }, async (app) => {
    assert.equal((await speak(app, 'kokoro')).statusCode, 200);
    assert.deepEqual(await loaded(app), ['kokoro']);
    await until(async () => (await loaded(app)).length === 0, 'the idle model unloaded');
    assert.equal((await speak(app, 'kokoro')).statusCode, 200);
  });
});

describe('operator routes', () => {
  test('POST /v1/models/{id}/load and /unload', async () => {
    await withApp({}, async (app) => {
      const load = await app.inject({ method: 'POST', url: '/v1/models/pocket/load' });
      assert.equal(load.statusCode, 200);
      assert.equal((load.json() as { loaded: boolean }).loaded, true);
      const unload = await app.inject({ method: 'POST', url: '/v1/models/pocket/unload' });
      assert.equal((unload.json() as { loaded: boolean }).loaded, false);
      assertApiError(await app.inject({ method: 'POST', url: '/v1/models/nope/load' }), 404, { code: 'model_not_found' });
    });
  });

  test('unload is refused (409) while the model has a job', async () => {
    await withApp({}, async (app, { pool }) => {
      let release!: () => void;
      const busy = pool.run('kokoro', () => new Promise<void>((resolve) => (release = resolve)));
      // The job holds the model once it has loaded and started.
      while (!release) await new Promise((resolve) => setTimeout(resolve, 10));
      assertApiError(await app.inject({ method: 'POST', url: '/v1/models/kokoro/unload' }), 409, { code: 'model_busy' });
      release();
      await busy;
      assert.equal((await app.inject({ method: 'POST', url: '/v1/models/kokoro/unload' })).statusCode, 200);
    });
  });
});
