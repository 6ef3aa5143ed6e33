/**
 * `vocable pull`, `vocable models`, and the first start that pulls the default models, against a
 * loopback server of archives the test makes from fixture models. A catalogue file (--catalogue)
 * points the ids at that server.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS, SILERO_VAD_MODEL } from '../fixtures/index.js';
import type { CatalogueEntry } from '../src/catalogue/catalogue-entry.js';
import { makeModelArchive, startArchiveServer, type ArchiveServer } from './helpers/archive-server.js';
import { runCli, startServer } from './helpers/cli.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let server: ArchiveServer;
let work: string;
let catalogueFile: string;

before(async () => {
  const fixtures = await fixtureModelsDir();
  const pocket = await makeModelArchive(join(fixtures, FIXTURE_MODELS.pocket), 'pocket-fixture', 'tar.bz2', 300_000);
  const vad = await readFile(SILERO_VAD_MODEL);
  server = await startArchiveServer({ '/pocket.tar.bz2': pocket, '/silero_vad.onnx': vad });
  work = await mkdtemp(join(tmpdir(), 'vocable-pull-cli-'));
  const entry = (id: string, task: CatalogueEntry['task'], url: string, bytes?: Buffer): CatalogueEntry => ({
    id,
    task,
    family: 'fixture',
    description: 'fixture',
    licence: 'test',
    url: `${server.url}${url}`,
    format: url.endsWith('.onnx') ? 'file' : 'tar.bz2',
    ...(bytes ? { sizeBytes: bytes.length, sha256: sha256(bytes) } : {}),
  });
  // The ids of the built-in defaults, pointed at the test's server; whisper-tiny's archive is missing.
  const entries = [entry('pocket-tts-int8', 'tts', '/pocket.tar.bz2', pocket), entry('whisper-tiny', 'stt', '/whisper-gone.tar.bz2'), entry('silero-vad', 'vad', '/silero_vad.onnx', vad)];
  catalogueFile = join(work, 'catalogue.json');
  await writeFile(catalogueFile, JSON.stringify(entries));
});
after(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

async function freshModelsDir(name: string): Promise<string> {
  const dir = join(work, name);
  await rm(dir, { recursive: true, force: true });
  return dir;
}

test('vocable pull installs a model with progress, and says so', async () => {
  const modelsDir = await freshModelsDir('pull');
  const run = await runCli(['pull', 'pocket-tts-int8', 'silero-vad', '--models-dir', modelsDir, '--catalogue', catalogueFile]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /pocket-tts-int8: installed in .*pull\/pocket-tts-int8\nsilero-vad: installed/);
  assert.match(run.stderr, /pocket-tts-int8: downloading[\s\S]*pocket-tts-int8: verifying[\s\S]*pocket-tts-int8: unpacking/);
  assert.deepEqual((await readdir(modelsDir)).sort(), ['.downloads', 'pocket-tts-int8', 'silero-vad']);

  const again = await runCli(['pull', 'pocket-tts-int8', '--models-dir', modelsDir, '--catalogue', catalogueFile]);
  assert.match(again.stdout, /pocket-tts-int8: already installed/);

  const list = await runCli(['models', '--json', '--models-dir', modelsDir, '--catalogue', catalogueFile]);
  const rows = JSON.parse(list.stdout) as { id: string; status: string; task: string }[];
  const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
  assert.equal(status['pocket-tts-int8'], 'installed');
  assert.equal(status['silero-vad'], 'installed');
  assert.equal(status['whisper-tiny'], 'available');
  assert.equal(status['parakeet-tdt-0.6b-v2-int8'], 'available', 'the built-in catalogue is listed too');
  const table = await runCli(['models', '--models-dir', modelsDir, '--catalogue', catalogueFile]);
  assert.match(table.stdout, /^ID +TASK +FAMILY +SIZE +STATUS +COMMERCIAL +LICENCE\n/);
  assert.match(table.stdout, /\npocket-tts-int8 +tts +Pocket TTS +\d+ MB +installed/);
});

test('vocable pull fails with exit code 1 and one line naming what went wrong', async () => {
  const modelsDir = await freshModelsDir('pull-fail');
  const missing = await runCli(['pull', 'whisper-tiny', '--models-dir', modelsDir, '--catalogue', catalogueFile]);
  assert.equal(missing.code, 1);
  const lastLine = missing.stderr.trim().split('\n').at(-1)!;
  assert.match(lastLine, /^vocable: http:\/\/127\.0\.0\.1:\d+\/whisper-gone\.tar\.bz2 answered HTTP 404 \(not found\)\..*install it by hand/);
  const unknown = await runCli(['pull', 'nope', '--models-dir', modelsDir]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^vocable: 'nope' is not in the catalogue\. Models that can be pulled: pocket-tts-int8, .*silero-vad/);
});

test('the first start with an empty models folder pulls the defaults while serving, with 503s for what failed', async () => {
  const modelsDir = await freshModelsDir('first-start');
  const vocable = await startServer(['--models-dir', modelsDir, '--catalogue', catalogueFile, '--data-dir', join(work, 'data')]);
  try {
    assert.equal((await fetch(`${vocable.url}/health`)).status, 200, 'serving while it pulls');
    let whisper: Response | undefined;
    for (let i = 0; i < 200; i++) {
      whisper = await fetch(`${vocable.url}/v1/models/whisper-tiny`);
      const models = (await (await fetch(`${vocable.url}/v1/models`)).json()) as { data: { id: string }[] };
      if (whisper.status === 503 && /pulling it failed/.test(await whisper.clone().text()) && models.data.some((m) => m.id === 'pocket-tts-int8')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(whisper?.status, 503);
    assert.match(((await whisper!.json()) as { error: { message: string } }).error.message, /whisper-tiny' is not installed: pulling it failed\. .*whisper-gone\.tar\.bz2 answered HTTP 404/);
    const log = vocable.log();
    assert.match(log, /the models folder is empty: pulling the defaults \(pocket-tts-int8, whisper-tiny, silero-vad, kyutai-pocket-voices\)/);
    assert.match(log, /pull pocket-tts-int8: downloading, \d+% of/);
    assert.match(log, /pull pocket-tts-int8: installed/);
  } finally {
    await vocable.stop();
  }
});

test('--offline skips the default pull: nothing is fetched, and a default model is a 404 saying how to pull it', async () => {
  const modelsDir = await freshModelsDir('offline');
  const before = server.requests.length;
  const vocable = await startServer(['--models-dir', modelsDir, '--catalogue', catalogueFile, '--offline', '--data-dir', join(work, 'data')]);
  try {
    const response = await fetch(`${vocable.url}/v1/models/pocket-tts-int8`);
    assert.equal(response.status, 404);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /not installed\. Pull it with `vocable pull pocket-tts-int8`/);
    assert.equal(server.requests.length, before);
    assert.doesNotMatch(vocable.log(), /pulling the defaults/);
  } finally {
    await vocable.stop();
  }
});
