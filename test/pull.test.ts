/**
 * Pulling catalogue models, against a loopback HTTP server that serves archives the test makes
 * from the fixture model folders (fixture weights; real tar.bz2 / tar.gz made by the system tar).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createParser } from 'eventsource-parser';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS, SILERO_VAD_MODEL } from '../fixtures/index.js';
import { SPEAKER_EMBEDDING_FILE } from '../fixtures/speaker-embedding.js';
import { Catalogue } from '../src/catalogue/catalogue.js';
import type { CatalogueEntry } from '../src/catalogue/catalogue-entry.js';
import { discoverModels } from '../src/engine/discovery.js';
import { DownloadError } from '../src/errors.js';
import { pullModel, type PullProgress } from '../src/pull/pull-model.js';
import { makeModelArchive, pocketArchiveEntry, sha256, startArchiveServer, type ArchiveServer } from './helpers/archive-server.js';
import { testApp } from './helpers/app.js';

/** Random padding in the archive, so a download arrives in many chunks and can be cut midway. */
const PAD_BYTES = 1_500_000;

let server: ArchiveServer;
let pocketArchive: Buffer;
let sensevoiceArchive: Buffer;
let vadFile: Buffer;
let segmentationArchive: Buffer;
let embeddingFile: Buffer;

before(async () => {
  const fixtures = await fixtureModelsDir();
  pocketArchive = await makeModelArchive(join(fixtures, FIXTURE_MODELS.pocket), 'sherpa-onnx-pocket-fixture', 'tar.bz2', PAD_BYTES);
  sensevoiceArchive = await makeModelArchive(join(fixtures, FIXTURE_MODELS.sensevoice), 'sherpa-onnx-sensevoice-fixture', 'tar.gz');
  vadFile = await readFile(SILERO_VAD_MODEL);
  segmentationArchive = await makeModelArchive(join(fixtures, FIXTURE_MODELS.segmentation), 'sherpa-onnx-pyannote-segmentation-3-0', 'tar.bz2');
  embeddingFile = await readFile(join(fixtures, FIXTURE_MODELS.embedding, SPEAKER_EMBEDDING_FILE));
  server = await startArchiveServer({
    '/segmentation.tar.bz2': segmentationArchive,
    [`/${SPEAKER_EMBEDDING_FILE}`]: embeddingFile,
    '/pocket.tar.bz2': pocketArchive,
    '/sensevoice.tar.gz': sensevoiceArchive,
    '/silero_vad.onnx': vadFile,
    '/not-a-model.tar.gz': await makeModelArchive(join(fixtures, FIXTURE_MODELS.pocket, 'vocab.json'), 'odd', 'tar.gz'),
  });
});
after(() => server.close());

const pocketEntry = (overrides: Partial<CatalogueEntry> = {}): CatalogueEntry => pocketArchiveEntry(`${server.url}/pocket.tar.bz2`, pocketArchive, overrides);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function emptyModelsDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'vocable-pull-'));
}

/** Everything in the models folder, hidden folders' contents included. */
async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

async function expectDownloadError(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<DownloadError> {
  const error = await promise.then(
    () => assert.fail('the pull should have failed'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${String(error)}`);
  assert.equal(error.code, code);
  assert.match(error.message, pattern);
  return error;
}

test('pull downloads a tar.bz2 with progress, verifies it, and installs one usable model folder', async () => {
  const dir = await emptyModelsDir();
  try {
    const events: PullProgress[] = [];
    assert.equal(await pullModel(pocketEntry(), dir, { onProgress: (p) => events.push(p) }), 'installed');
    const downloads = events.filter((e) => e.phase === 'download');
    assert.ok(downloads.length > 3, `several progress events (got ${downloads.length})`);
    const received = downloads.map((e) => e.receivedBytes);
    assert.deepEqual(received, [...received].sort((a, b) => a - b), 'received bytes only grow');
    assert.equal(received.at(-1), pocketArchive.length);
    assert.ok(downloads.every((e) => e.totalBytes === pocketArchive.length));
    assert.deepEqual([...new Set(events.map((e) => e.phase))], ['download', 'verify', 'unpack']);

    const discovery = await discoverModels(dir);
    assert.deepEqual(discovery.models.map((m) => [m.id, m.family.displayName]), [['pocket-test', 'Pocket TTS']]);
    assert.deepEqual(await readdir(dir), ['.downloads', 'pocket-test'], 'no staging folder is left');
    assert.deepEqual(await readdir(join(dir, '.downloads')), [], 'the archive is removed once installed');
    assert.equal(await pullModel(pocketEntry(), dir), 'already-installed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pull unpacks tar.gz archives and installs single-file models such as the VAD', async () => {
  const dir = await emptyModelsDir();
  try {
    const sensevoice = pocketEntry({ id: 'sensevoice-test', task: 'stt', family: 'SenseVoice', url: `${server.url}/sensevoice.tar.gz`, format: 'tar.gz', sizeBytes: sensevoiceArchive.length, sha256: sha256(sensevoiceArchive) });
    const vad = pocketEntry({ id: 'vad-test', task: 'vad', family: 'Silero VAD', url: `${server.url}/silero_vad.onnx`, format: 'file', sizeBytes: vadFile.length, sha256: sha256(vadFile) });
    await pullModel(sensevoice, dir);
    await pullModel(vad, dir);
    const discovery = await discoverModels(dir);
    assert.deepEqual(discovery.models.map((m) => m.id), ['sensevoice-test']);
    assert.equal(discovery.vadModel, join(dir, 'vad-test', 'silero_vad.onnx'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pull installs the speaker models diarization needs: a segmentation archive and a single-file embedding extractor', async () => {
  const dir = await emptyModelsDir();
  try {
    const segmentation = pocketEntry({ id: 'segmentation-test', task: 'segmentation', family: 'pyannote segmentation', url: `${server.url}/segmentation.tar.bz2`, sizeBytes: segmentationArchive.length, sha256: sha256(segmentationArchive) });
    const embedding = pocketEntry({ id: 'embedding-test', task: 'embedding', family: 'speaker embedding', url: `${server.url}/${SPEAKER_EMBEDDING_FILE}`, format: 'file', sizeBytes: embeddingFile.length, sha256: sha256(embeddingFile) });
    await pullModel(segmentation, dir);
    await pullModel(embedding, dir);
    const discovery = await discoverModels(dir);
    assert.deepEqual(discovery.models.map((m) => [m.id, m.task]), [['embedding-test', 'embedding'], ['segmentation-test', 'segmentation']]);
    // A catalogue entry that promises the wrong kind is refused.
    const wrong = pocketEntry({ id: 'wrong-test', task: 'stt', family: 'speaker embedding', url: `${server.url}/${SPEAKER_EMBEDDING_FILE}`, format: 'file', sizeBytes: embeddingFile.length, sha256: sha256(embeddingFile) });
    await assert.rejects(pullModel(wrong, dir), /not the stt model/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a download cut mid-file leaves no model, and the next pull resumes from where it stopped', async () => {
  const dir = await emptyModelsDir();
  try {
    server.cutNextAfter('/pocket.tar.bz2', 600_000);
    await expectDownloadError(pullModel(pocketEntry(), dir), 'download_failed', /cut off after \d+ bytes.*pull again to resume/);
    assert.deepEqual(await readdir(dir), ['.downloads'], 'no model folder after a cut');
    const kept = (await stat(join(dir, '.downloads', 'pocket-test.tar.bz2.part'))).size;
    assert.ok(kept > 0 && kept <= 600_000, `the part file keeps what arrived (${kept} bytes)`);

    const before = server.requests.length;
    const events: PullProgress[] = [];
    assert.equal(await pullModel(pocketEntry(), dir, { onProgress: (p) => events.push(p) }), 'installed');
    assert.deepEqual(server.requests.slice(before), [{ path: '/pocket.tar.bz2', range: `bytes=${kept}-` }], 'one ranged request for the rest');
    const first = events.find((e) => e.phase === 'download');
    assert.equal(first?.phase === 'download' && first.receivedBytes, kept, 'progress starts at the bytes already there');
    assert.equal((await discoverModels(dir)).models.length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a checksum or size mismatch deletes the download and installs nothing', async () => {
  const dir = await emptyModelsDir();
  try {
    await expectDownloadError(pullModel(pocketEntry({ sha256: 'a'.repeat(64) }), dir), 'checksum_mismatch', /SHA-256 [0-9a-f]{64}, but the catalogue says a{64}; it was deleted/);
    assert.deepEqual(await listing(dir), ['.downloads']);
    await expectDownloadError(pullModel(pocketEntry({ sizeBytes: pocketArchive.length + 10 }), dir), 'checksum_mismatch', new RegExp(`is ${pocketArchive.length} bytes, but the catalogue says ${pocketArchive.length + 10}; it was deleted`));
    assert.deepEqual(await listing(dir), ['.downloads']);
    assert.ok(!(await readdir(dir)).includes('pocket-test'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('404 and an unreachable host name the URL and say how to install the model by hand', async () => {
  const dir = await emptyModelsDir();
  try {
    const missing = `${server.url}/gone.tar.bz2`;
    await expectDownloadError(pullModel(pocketEntry({ url: missing }), dir), 'download_failed', new RegExp(`${missing} answered HTTP 404 \\(not found\\)\\..*install it by hand: fetch ${missing} .*put its folder at ${dir}/pocket-test`));
    const closed = `http://127.0.0.1:${await closedPort()}/pocket.tar.bz2`;
    await expectDownloadError(pullModel(pocketEntry({ url: closed }), dir), 'download_failed', new RegExp(`Could not reach ${closed} \\(ECONNREFUSED\\)\\. If this machine is offline, install it by hand`));
    assert.deepEqual(await listing(dir), ['.downloads']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an archive that holds no usable model is refused and removed', async () => {
  const dir = await emptyModelsDir();
  try {
    await expectDownloadError(pullModel(pocketEntry({ url: `${server.url}/not-a-model.tar.gz`, format: 'tar.gz', sizeBytes: undefined, sha256: undefined }), dir), 'bad_archive', /does not hold a usable model: no known model family/);
    assert.deepEqual(await listing(dir), ['.downloads']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

interface PullEvent {
  type: string;
  phase?: string;
  received_bytes?: number;
  status?: string;
  error?: { message: string; code: string };
}

async function pullEvents(response: Response): Promise<PullEvent[]> {
  const events: PullEvent[] = [];
  const parser = createParser({ onEvent: (event) => events.push(JSON.parse(event.data) as PullEvent) });
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  return events;
}

test('POST /v1/models/pull streams progress, installs the model for use at once, and joins a pull already running', async () => {
  const dir = await emptyModelsDir();
  const catalogue = new Catalogue([pocketEntry({ id: 'pocket-api' }), pocketEntry({ id: 'broken-api', url: `${server.url}/gone.tar.bz2` })]);
  const { app: served } = await testApp(dir, {}, { catalogue });
  try {
    const url = await served.listen({ port: 0, host: '127.0.0.1' });
    assert.equal((await fetch(`${url}/v1/models/pocket-api`)).status, 404);
    const before = server.requests.length;
    const post = (body: object) => fetch(`${url}/v1/models/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const [streamed, joined] = await Promise.all([post({ model: 'pocket-api' }), post({ model: 'pocket-api', stream: false })]);
    assert.equal(streamed.headers.get('content-type'), 'text/event-stream');
    const events = await pullEvents(streamed);
    assert.ok(events.filter((e) => e.type === 'model.pull.progress' && e.phase === 'download').length >= 1);
    assert.deepEqual(events.at(-1), { type: 'model.pull.done', model: 'pocket-api', status: 'installed' });
    assert.deepEqual(await joined.json(), { object: 'model.pull', model: 'pocket-api', status: 'installed' });
    assert.equal(server.requests.slice(before).length, 1, 'two requests, one download');

    const loaded = await fetch(`${url}/v1/models/pocket-api/load`, { method: 'POST' });
    assert.equal(loaded.status, 200, 'the engine loads the pulled model');
    assert.equal(((await loaded.json()) as { loaded: boolean }).loaded, true);
    const catalogueList = (await (await fetch(`${url}/v1/catalogue`)).json()) as { data: { id: string; installed: boolean }[] };
    assert.deepEqual(catalogueList.data.map((e) => [e.id, e.installed]), [['pocket-api', true], ['broken-api', false]]);

    const failed = await pullEvents(await post({ model: 'broken-api' }));
    assert.equal(failed.at(-1)?.type, 'error');
    assert.match(failed.at(-1)!.error!.message, /gone\.tar\.bz2 answered HTTP 404/);
    const useFailed = await fetch(`${url}/v1/models/broken-api`);
    assert.equal(useFailed.status, 503);
    assert.match(((await useFailed.json()) as { error: { message: string } }).error.message, /Model 'broken-api' is not installed: pulling it failed\. .*HTTP 404/);

    const unknown = await post({ model: 'no-such-model' });
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /'no-such-model' is not in the catalogue\. Models that can be pulled: pocket-api, broken-api/);
    assert.equal((await post({ stream: true })).status, 400);
  } finally {
    await served.close();
    await rm(dir, { recursive: true, force: true });
  }
});
