/**
 * Pulls that go wrong on purpose, against a loopback server: catalogue URLs that name no file,
 * extra files that fail, and hostile archives (bz2 and gzip bombs, links, absolute and `..`
 * paths, special files). Each is refused with an error that says what was wrong, the event loop
 * keeps turning while an archive unpacks, and nothing is left behind in the models folder.
 */
import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { Catalogue, loadCatalogue } from '../src/catalogue/catalogue.js';
import type { CatalogueEntry } from '../src/catalogue/catalogue-entry.js';
import { ConfigError } from '../src/config.js';
import { DownloadError } from '../src/errors.js';
import { pullModel } from '../src/pull/pull-model.js';
import { unpackTask } from '../src/pull/unpack-task.js';
import { testApp } from './helpers/app.js';
import { makeModelArchive, pocketArchiveEntry, sha256, startArchiveServer, type ArchiveServer } from './helpers/archive-server.js';
import { brokenArchives, hostileArchives, oddModesArchive, zeroBomb, type HostileArchive } from './fuzz/hostile-archives.js';
import { caseSeed, Rng } from './fuzz/rng.js';

/** Fixed, so every run checks the same archives; FUZZ_SEED=n tries others. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261130) >>> 0;
const ROUNDS = 15 * Number(process.env.FUZZ_SCALE ?? 1);
const MiB = 1024 * 1024;


let server: ArchiveServer;
/** What the server serves, by path; the hostile cases add theirs as they go. */
const served: Record<string, Buffer> = {};
let pocketArchive: Buffer;
const ROOT_BYTES = Buffer.from('<html>an index page, not a model</html>');

before(async () => {
  const fixtures = await fixtureModelsDir();
  pocketArchive = await makeModelArchive(join(fixtures, FIXTURE_MODELS.pocket), 'sherpa-onnx-pocket-fixture', 'tar.bz2');
  Object.assign(served, { '/': ROOT_BYTES, '/pocket.tar.bz2': pocketArchive });
  server = await startArchiveServer(served);
});
after(() => server.close());

const entry = (overrides: Partial<CatalogueEntry> = {}): CatalogueEntry => pocketArchiveEntry(`${server.url}/pocket.tar.bz2`, pocketArchive, overrides);

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

/** Serves `bytes` at a fresh path and returns a catalogue entry for it, its size declared and no checksum (as a hostile mirror would serve). */
function servedEntry(name: string, bytes: Buffer, format: 'tar.bz2' | 'tar.gz'): CatalogueEntry {
  served[`/${name}`] = bytes;
  return entry({ url: `${server.url}/${name}`, format, sizeBytes: bytes.length, sha256: undefined });
}

/** Runs `work` while a 10 ms timer ticks; returns the longest the event loop went without turning. */
async function longestStall(work: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}

/** Far above a turn of a loop that is free (a few ms): what only an unpack on the event loop would cause. */
const STALL_LIMIT_MS = 1000;

describe('archive bombs', () => {
  test('a bz2 bomb (160 MB of zeros in a few hundred bytes) stops at the absolute cap, off the event loop; nothing is installed', async () => {
    const bomb = await zeroBomb(40, 4 * MiB, 'tar.bz2');
    assert.ok(bomb.length < 10_000, `${bomb.length} bytes`);
    await withModelsDir(async (dir) => {
      const bombEntry = { ...servedEntry('bomb.tar.bz2', bomb, 'tar.bz2'), sizeBytes: undefined };
      let pull!: Promise<unknown>;
      const stall = await longestStall(async () => {
        pull = pullModel(bombEntry, dir, { maxUnpackedBytes: 16 * MiB });
        await pull.catch(() => undefined);
      });
      assert.ok(stall < STALL_LIMIT_MS, `the event loop went ${Math.round(stall)} ms without turning`);
      await refused(pull, 'bad_archive', /unpacks to more than 16\.8 MB, the most any model may unpack to/);
      assert.deepEqual(await listing(dir), []);
    });
  });

  test('a file whose header alone passes the cap is refused before a byte of it is written', async () => {
    const bomb = await zeroBomb(1, 40 * MiB, 'tar.gz');
    await withModelsDir(async (dir) => {
      await refused(pullModel(servedEntry('one-big.tar.gz', bomb, 'tar.gz'), dir, { maxUnpackedBytes: 16 * MiB }), 'bad_archive', /holds 'model\/zeros-0\.bin' of 41943040 bytes, more than 16\.8 MB, the most any model may unpack to/);
      assert.deepEqual(await listing(dir), []);
    });
  });

  test('a gzip bomb stops at the margin over the download size the catalogue declares', async () => {
    const bomb = await zeroBomb(25, 4 * MiB, 'tar.gz');
    await withModelsDir(async (dir) => {
      await refused(pullModel(servedEntry('bomb.tar.gz', bomb, 'tar.gz'), dir), 'bad_archive', new RegExp(`unpacks to more than 67\\.1 MB, the most a ${(bomb.length / 1e6).toFixed(1).replace('.', '\\.')} MB download may unpack to`));
      assert.deepEqual(await listing(dir), []);
    });
  });
});

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Whether an archive's refusal is right, and whether it wrote outside the folder (`base` is the models folder's parent). */
async function judge(archive: HostileArchive, label: string, outcome: string, base: string, failures: string[]): Promise<void> {
  if (!archive.expect.test(outcome)) failures.push(`${label}: ${outcome}`);
  for (const escape of archive.escapes) {
    const path = isAbsolute(escape) ? escape : join(base, escape);
    if (await exists(path)) failures.push(`${label}: wrote ${path}`);
    await rm(path, { recursive: true, force: true });
  }
}

function hostileSet(round: number, format: 'tar.bz2' | 'tar.gz'): HostileArchive[] {
  const rng = new Rng(caseSeed(SEED, `archive-${format}`, round));
  return [...hostileArchives(rng, format, `${SEED}-${round}`), ...brokenArchives(rng, format)];
}

describe('hostile archives', () => {
  test(`each kind through a whole pull (seed ${SEED}): 502 bad_archive naming what was found, nothing left in the models folder or outside it`, async () => {
    const tally = new Map<string, number>();
    const failures: string[] = [];
    await withModelsDir(async (dir) => {
      const models = join(dir, 'models');
      for (const [i, archive] of [...hostileSet(0, 'tar.bz2').filter((_, k) => k % 2 === 0), ...hostileSet(0, 'tar.gz').filter((_, k) => k % 2 === 1)].entries()) {
        const label = `${archive.format} ${archive.label}`;
        const outcome = await pullModel(servedEntry(`hostile-${i}.${archive.format}`, archive.bytes, archive.format), models, { maxArchiveEntries: 50, maxUnpackedBytes: 4 * MiB }).then(
          () => 'installed',
          (error: unknown) => (error instanceof DownloadError ? `${error.status} ${error.code}: ${error.message}` : `not a DownloadError: ${String(error)}`),
        );
        const status = outcome.split(':')[0]!;
        tally.set(status, (tally.get(status) ?? 0) + 1);
        if (status !== '502 bad_archive') failures.push(`${label}: ${outcome}`);
        await judge(archive, label, outcome, dir, failures);
        const left = await listing(models);
        if (left.length > 0) failures.push(`${label}: left ${left.join(', ')}`);
      }
    });
    console.log(`hostile archives, whole pulls: ${[...tally.values()].reduce((a, b) => a + b, 0)} cases, ${JSON.stringify(Object.fromEntries(tally))}`);
    assert.deepEqual(failures, []);
  });

  test(`${ROUNDS} seeded rounds of every kind, bz2 and gzip, through the unpacker itself: each refused, nothing written outside`, async () => {
    const tally = new Map<string, number>();
    const failures: string[] = [];
    let cases = 0;
    await withModelsDir(async (dir) => {
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const format of ['tar.bz2', 'tar.gz'] as const) {
          for (const [i, archive] of hostileSet(round, format).entries()) {
            cases += 1;
            const file = join(dir, `archive-${round}-${i}.${format}`);
            const destDir = join(dir, 'staging', 'unpacked');
            await writeFile(file, archive.bytes);
            const outcome = await unpackTask({ archive: file, format, destDir, maxBytes: 4 * MiB, maxEntries: 50 });
            const status = outcome.ok ? 'unpacked' : outcome.kind;
            tally.set(status, (tally.get(status) ?? 0) + 1);
            await judge(archive, `round ${round} ${format} ${archive.label}`, outcome.ok ? 'unpacked' : outcome.reason, join(dir, 'staging'), failures);
            if (outcome.ok) failures.push(`round ${round} ${format} ${archive.label}: unpacked`);
            // In-process, writes of entries already under way may still land (a pull waits for its thread to end).
            await rm(join(dir, 'staging'), { recursive: true, force: true, maxRetries: 10 });
            await rm(file);
          }
        }
      }
    });
    console.log(`hostile archives, unpacker: ${cases} cases, ${JSON.stringify(Object.fromEntries(tally))}`);
    assert.deepEqual(failures, []);
  });
});

test('unpacked files get plain modes (no setuid, nothing world-writable), whatever the archive says', async () => {
  await withModelsDir(async (dir) => {
    const file = join(dir, 'modes.tar.gz');
    await writeFile(file, oddModesArchive('tar.gz'));
    const outcome = await unpackTask({ archive: file, format: 'tar.gz', destDir: join(dir, 'out'), maxBytes: MiB, maxEntries: 10 });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal((await stat(join(dir, 'out', 'model', 'run.sh'))).mode & 0o7777, 0o644);
    assert.equal((await stat(join(dir, 'out', 'model'))).mode & 0o7777, 0o755);
  });
});
