/** Logs: readable coloured lines on a terminal, JSON lines elsewhere or when asked. The terminal is a real pty (util-linux `script`). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from './helpers/cli.js';

let modelsDir: string;
before(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'vocable-logs-'));
});
after(async () => rm(modelsDir, { recursive: true, force: true }));

const ANSI = /\x1b\[[0-9;]*m/g;
const plain = (text: string) => text.replace(ANSI, '').replace(/\r/g, '');

/**
 * Starts `vocable serve` (inside a pseudo-terminal when `onTerminal`), sends it one request,
 * and returns everything it logged once that request completed.
 */
async function logOfOneRequest(args: string[], { onTerminal, env = {} }: { onTerminal: boolean; env?: NodeJS.ProcessEnv }): Promise<string> {
  const serve = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--offline', '--models-dir', modelsDir, ...args];
  const [command, ...argv] = onTerminal ? ['script', '-qfec', serve.map((a) => `'${a}'`).join(' '), '/dev/null'] : serve;
  const child = spawn(command!, argv, {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, VOCABLE_LOG_FORMAT: undefined, TERM: 'xterm-256color', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = once(child, 'exit');
  try {
    return await new Promise<string>((resolve, reject) => {
      let asked = false;
      const read = (chunk: Buffer) => {
        log += chunk.toString();
        const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(plain(log));
        if (listening && !asked) {
          asked = true;
          fetch(`${listening[1]}/health`).catch(reject);
        }
        // What was logged up to here: after the kill, `script` adds its own farewell line.
        if (plain(log).includes('request completed')) resolve(log);
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${log}`)));
    });
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

const lines = (log: string) => plain(log).split('\n').filter((line) => line.trim() !== '');

test('on a terminal: one coloured, readable line per entry, the request folded into it', async () => {
  const log = await logOfOneRequest([], { onTerminal: true });
  assert.match(log, ANSI, 'coloured');
  for (const line of lines(log)) assert.doesNotMatch(line, /^\s*\{/, `not JSON: ${line}`);
  assert.ok(lines(log).some((line) => /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: incoming request GET \/health \[[\w-]{8}\]$/.test(line)), log);
  assert.ok(lines(log).some((line) => /INFO: request completed 200 in \d+\.\d ms \[[\w-]{8}\]$/.test(line)), log);
});

test('on a terminal with --log-format json, and through a pipe by default: JSON lines', async () => {
  for (const log of [await logOfOneRequest(['--log-format', 'json'], { onTerminal: true }), await logOfOneRequest([], { onTerminal: false })]) {
    const entries = lines(log).map((line) => JSON.parse(line) as { msg: string; res?: { statusCode: number } });
    assert.ok(entries.some((e) => e.msg === 'request completed' && e.res?.statusCode === 200), log);
  }
});

test('VOCABLE_LOG_FORMAT=pretty through a pipe: readable lines, uncoloured under NO_COLOR', async () => {
  const log = await logOfOneRequest([], { onTerminal: false, env: { VOCABLE_LOG_FORMAT: 'pretty', NO_COLOR: '1' } });
  assert.doesNotMatch(log, ANSI);
  assert.ok(lines(log).some((line) => / INFO: request completed 200 in /.test(line)), log);
});
