/**
 * Special files in the folder `ref_audio` paths may name (--ref-audio-dir): a FIFO, a socket, a
 * character device, a folder, and links to them. Each is refused at once with a 400 that says
 * what it is; none may hang the request or, by holding the file-system thread pool, the server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { fixtureModelsDir } from '../fixtures/cache.js';
import type { App } from '../src/server/app.js';
import { readReferenceFile } from '../src/speech/reference-file.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { sharedClip } from './helpers/audio.js';
import { writeFile } from 'node:fs/promises';

const run = promisify(execFile);
/** Far longer than a refusal takes; past it the request counts as hung. */
const HANG_MS = 5000;

let clips: string;
let harness: App;
let socketServer: Server;
const special: string[] = ['fifo.wav', 'link-to-fifo.wav', 'socket.wav', 'folder.wav'];

before(async () => {
  clips = await mkdtemp(join(tmpdir(), 'vocable-special-'));
  await writeFile(join(clips, 'me.wav'), sharedClip('spk1_snt1.wav'));
  await run('mkfifo', [join(clips, 'fifo.wav')]);
  await symlink(join(clips, 'fifo.wav'), join(clips, 'link-to-fifo.wav'));
  await mkdir(join(clips, 'folder.wav'));
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(join(clips, 'socket.wav'), resolve));
  // A character device like /dev/zero (endless bytes) needs root to make; tested where allowed.
  const made = await run('mknod', [join(clips, 'zero.wav'), 'c', '1', '5']).then(() => true, () => false);
  if (made) special.push('zero.wav');
  harness = await testApp(await fixtureModelsDir(), { refAudioDir: clips });
});
after(async () => {
  await harness.app.close();
  await new Promise((resolve) => socketServer.close(resolve));
  await rm(clips, { recursive: true, force: true });
});

function withinDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} hung for ${HANG_MS} ms`)), HANG_MS)));
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

test('readReferenceFile refuses each special file at once, and still reads a regular one', async () => {
  for (const name of special) {
    const error = await withinDeadline(readReferenceFile(name, clips, 1 << 20).then(() => undefined, (e: unknown) => e), name);
    assert.ok(error instanceof Error, `${name} was read`);
    assert.match((error as Error).message, /not a regular file/, name);
  }
  assert.ok((await readReferenceFile('me.wav', clips, 1 << 20)).length > 1000);
});

test('speech with a special file as ref_audio: 400 at once, many times over, and the server keeps serving', async () => {
  const speech = (refAudio: string) => harness.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', input: 'Hi.', response_format: 'wav', ref_audio: refAudio } });
  // More at once than libuv has threads (4): blocked opens would stall every file read after them.
  const responses = await withinDeadline(Promise.all(special.flatMap((name) => Array.from({ length: 3 }, () => speech(name)))), 'special-file requests');
  for (const response of responses) assertApiError(response, 400, { param: 'ref_audio', code: 'not_a_regular_file', message: /not a regular file/ });
  const ok = await withinDeadline(speech('me.wav'), 'a request with a regular clip');
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal((await harness.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
});
