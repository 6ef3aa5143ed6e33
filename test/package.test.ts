/**
 * The package as a user gets it: `npm pack` (which builds dist/), the tarball installed globally
 * into an empty prefix with no dev dependencies, and its `vocable` command serving, speaking and
 * transcribing over the fixture models. npm resolves the dependencies from its cache when it can
 * (--prefer-offline), the registry otherwise.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import { SHARED_AUDIO } from './helpers/audio.js';
import { ROOT } from './helpers/cli.js';

const run = promisify(execFile);
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

let work: string;
let vocable: string;
let installed: string;
let modelsDir: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'vocable-package-'));
  modelsDir = await fixtureModelsDir();
  await run('npm', ['pack', '--pack-destination', work, ...NPM_QUIET], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack made a tarball');
  const prefix = join(work, 'prefix');
  await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', ...NPM_QUIET, join(work, tarball)], { cwd: work });
  vocable = join(prefix, 'bin', 'vocable');
  installed = join(prefix, 'lib', 'node_modules', 'vocable');
});
after(async () => rm(work, { recursive: true, force: true }));

test('the installed package is the built code alone: no sources, no build tools', async () => {
  assert.ok(existsSync(vocable), 'the vocable command is on the prefix bin path');
  assert.deepEqual((await readdir(installed)).filter((name) => name !== 'node_modules').sort(), ['README.md', 'dist', 'package.json']);
  for (const tool of ['tsx', 'esbuild', 'typescript']) assert.equal(existsSync(join(installed, 'node_modules', tool)), false, `${tool} is not installed`);
  assert.ok((await readdir(join(installed, 'dist', 'playground'))).some((name) => /^app\.[0-9a-f]{12}\.js$/.test(name)), 'the playground is pre-bundled');
});

test('vocable serve answers the API and serves the pre-bundled playground', async () => {
  const child = spawn(vocable, ['serve', '--port', '0', '--offline', '--models-dir', modelsDir, '--data-dir', join(work, 'data')], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = once(child, 'exit');
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        log += chunk.toString();
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (match) resolve(match[1]!);
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => reject(new Error(`vocable serve exited with ${code}: ${log}`)));
    });
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
    assert.ok(models.data.some((m) => m.id === 'kokoro'), JSON.stringify(models));

    const speech = await fetch(`${url}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'kokoro', input: 'Hello from the package.', response_format: 'wav' }) });
    assert.equal(speech.status, 200);
    assert.equal(Buffer.from(await speech.arrayBuffer()).subarray(0, 4).toString('ascii'), 'RIFF');

    const page = await (await fetch(`${url}/`)).text();
    const script = /src="(\/playground\/app\.[0-9a-f]{12}\.js)"/.exec(page);
    assert.ok(script, 'the page links its script');
    const asset = await fetch(`${url}${script[1]}`);
    assert.equal(asset.status, 200);
    assert.ok((await asset.text()).length > 1000);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test('vocable say and vocable transcribe run in-process over a models folder', async () => {
  const out = join(work, 'hello.wav');
  const say = await run(vocable, ['say', 'Hello from the package.', '-m', 'kokoro', '-o', out, '--models-dir', modelsDir], { cwd: work });
  assert.match(say.stderr, /hello\.wav: \d+ KiB of wav from kokoro/);
  assert.equal((await readFile(out)).subarray(0, 4).toString('ascii'), 'RIFF');

  const transcribe = await run(vocable, ['transcribe', join(SHARED_AUDIO, 'jfk.wav'), '-m', 'sensevoice', '--models-dir', modelsDir], { cwd: work });
  assert.match(transcribe.stdout, new RegExp(SENSEVOICE_TEXT));
});

test('npx vocable runs the built command in the project folder', async () => {
  const models = await run('npx', ['--no-install', 'vocable', 'models', '--json', '--models-dir', modelsDir], { cwd: ROOT });
  const rows = JSON.parse(models.stdout) as { id: string; status: string }[];
  assert.ok(rows.some((m) => m.id === 'kokoro' && m.status === 'installed'), models.stdout);
});
