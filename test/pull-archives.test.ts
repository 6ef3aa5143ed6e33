/**
 * Pulls that go wrong on purpose, against a loopback server: catalogue URLs that name no file,
 * extra files that fail, and hostile archives (bz2 and gzip bombs, links, absolute and `..`
 * paths, special files). Each is refused with an error that says what was wrong, the event loop
 * keeps turning while an archive unpacks, and nothing is left behind in the models folder.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { Catalogue, loadCatalogue } from '../src/catalogue/catalogue.js';
import type { CatalogueEntry } from '../src/catalogue/catalogue-entry.js';
import { ConfigError } from '../src/config.js';
import { DownloadError } from '../src/errors.js';
import { pullModel } from '../src/pull/pull-model.js';
import { testApp } from './helpers/app.js';
import { makeModelArchive, startArchiveServer, type ArchiveServer } from './helpers/archive-server.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let server: ArchiveServer;
let pocketArchive: Buffer;
const ROOT_BYTES = Buffer.from('<html>an index page, not a model</html>');

before(async () => {
  const fixtures = await fixtureModelsDir();
  pocketArchive = await makeModelArchive(join(fixtures, FIXTURE_MODELS.pocket), 'sherpa-onnx-pocket-fixture', 'tar.bz2');
  server = await startArchiveServer({ '/': ROOT_BYTES, '/pocket.tar.bz2': pocketArchive });
});
after(() => server.close());

function entry(overrides: Partial<CatalogueEntry> = {}): CatalogueEntry {
  return {
    id: 'pocket-test',
    task: 'tts',
    family: 'Pocket TTS',
    description: 'fixture',
    licence: 'test',
    url: `${server.url}/pocket.tar.bz2`,
    format: 'tar.bz2',
    sizeBytes: pocketArchive.length,
    sha256: sha256(pocketArchive),
    ...overrides,
  };
}

async function withModelsDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vocable-pull-hostile-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Everything in the models folder, hidden folders' contents included, but for the (empty) downloads folder. */
const listing = async (dir: string) => (await readdir(dir, { recursive: true })).filter((n) => n !== '.downloads').sort();

async function refused(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => assert.fail('the pull should have been refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DownloadError, `a DownloadError, not ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, message);
}

describe('catalogue URLs that name no file', () => {
  test('a single-file model whose URL path is "/" is refused before any download, leaving nothing', async () => {
    await withModelsDir(async (dir) => {
      await refused(pullModel(entry({ task: 'vad', url: `${server.url}/`, format: 'file', sizeBytes: undefined, sha256: undefined }), dir), 'invalid_catalogue_entry', /names no file/);
      assert.deepEqual(await listing(dir), []);
      assert.equal(server.requests.filter((r) => r.path === '/').length, 0, 'nothing was fetched');
    });
  });

  test('an extra file whose URL path is "/" is refused before any download, leaving nothing', async () => {
    await withModelsDir(async (dir) => {
      await refused(pullModel(entry({ extraFiles: [{ url: `${server.url}/` }] }), dir), 'invalid_catalogue_entry', /names no file/);
      assert.deepEqual(await listing(dir), []);
    });
  });

  test('an extra file that fails removes the main download too', async () => {
    await withModelsDir(async (dir) => {
      await refused(pullModel(entry({ extraFiles: [{ url: `${server.url}/gone.onnx` }] }), dir), 'download_failed', /gone\.onnx answered HTTP 404/);
      assert.deepEqual(await listing(dir), [], 'no part file of the archive or the extra');
    });
  });

  test('POST /v1/models/pull answers such an entry with a 502 that says so, never a 500', async () => {
    await withModelsDir(async (dir) => {
      const catalogue = new Catalogue([entry({ id: 'slash-file', task: 'vad', url: `${server.url}/`, format: 'file' }), entry({ id: 'slash-extra', extraFiles: [{ url: `${server.url}/` }] })]);
      const { app } = await testApp(dir, {}, { catalogue });
      try {
        for (const model of ['slash-file', 'slash-extra']) {
          const response = await app.inject({ method: 'POST', url: '/v1/models/pull', payload: { model, stream: false } });
          assert.equal(response.statusCode, 502, response.body);
          assert.match((response.json() as { error: { message: string } }).error.message, /names no file/);
        }
        assert.deepEqual(await listing(dir), []);
      } finally {
        await app.close();
      }
    });
  });

  test('a catalogue file with such an entry is refused at start-up, naming it', async () => {
    await withModelsDir(async (dir) => {
      const file = join(dir, 'catalogue.json');
      await writeFile(file, JSON.stringify([{ ...entry(), extraFiles: [{ url: 'https://example.com/' }] }]));
      await assert.rejects(loadCatalogue(file), (error: unknown) => error instanceof ConfigError && /entry 0\.extraFiles\.0\.url: .*names no file/.test(error.message));
      await writeFile(file, JSON.stringify([{ ...entry(), format: 'file', url: 'https://example.com/models/' }]));
      await assert.rejects(loadCatalogue(file), (error: unknown) => error instanceof ConfigError && /entry 0\.url: .*names no file/.test(error.message));
    });
  });
});
