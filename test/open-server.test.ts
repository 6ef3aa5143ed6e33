/** Safe by default: loopback unless asked; beyond it, an API key or an explicit --allow-open (Redis's protected mode). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isLoopbackHost } from '../src/cli/open-server-check.js';
import { ROOT, runCli } from './helpers/cli.js';

let modelsDir: string;
before(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'vocable-open-'));
});
after(async () => rm(modelsDir, { recursive: true, force: true }));

/** Runs `vocable serve <args>` until it listens (then stops it) or exits; returns its log and how it ended. */
async function serveOnce(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ listening: boolean; code: number | null; log: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--offline', '--models-dir', modelsDir, ...args], {
    cwd: ROOT,
    env: { ...process.env, VOCABLE_API_KEY: '', VOCABLE_HOST: '', VOCABLE_ALLOW_OPEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const listening = await new Promise<boolean>((resolve) => {
    const read = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server listening at')) resolve(true);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', () => resolve(false));
  });
  if (listening) child.kill('SIGTERM');
  const [code] = await exited;
  return { listening, code, log };
}

test('loopback addresses are told apart from the rest', () => {
  for (const host of ['127.0.0.1', '127.3.2.1', '::1', 'localhost', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', '::ffff:10.0.0.1', 'vocable.example', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
});

test('by default the server listens on 127.0.0.1 only', async () => {
  const run = await serveOnce([]);
  assert.equal(run.listening, true, run.log);
  const addresses = [...run.log.matchAll(/Server listening at (http:\/\/[^"\s]+)/g)].map((m) => m[1]);
  assert.ok(addresses.length > 0);
  for (const address of addresses) assert.match(address!, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('any other address without an API key refuses to start, naming both ways forward', async () => {
  for (const run of [await serveOnce(['--host', '0.0.0.0']), await serveOnce([], { VOCABLE_HOST: '192.0.2.1' })]) {
    assert.equal(run.listening, false);
    assert.equal(run.code, 2);
    assert.match(run.log, /refusing to listen on (0\.0\.0\.0|192\.0\.2\.1) without an API key/);
    assert.match(run.log, /--api-key <key> or VOCABLE_API_KEY/);
    assert.match(run.log, /--allow-open \(VOCABLE_ALLOW_OPEN=1\)/);
  }
});

test('an API key, or an explicit --allow-open, lets it listen on every address', async () => {
  const keyed = await serveOnce(['--host', '0.0.0.0', '--api-key', 'k']);
  assert.equal(keyed.listening, true, keyed.log);
  assert.doesNotMatch(keyed.log, /open server/);

  for (const open of [await serveOnce(['--host', '0.0.0.0', '--allow-open']), await serveOnce(['--host', '0.0.0.0'], { VOCABLE_ALLOW_OPEN: '1' })]) {
    assert.equal(open.listening, true, open.log);
    assert.match(open.log, /open server \(--allow-open\): anyone who can reach 0\.0\.0\.0/);
  }
});
