/**
 * Faults the server must survive (fixture models): a model folder deleted or a model file
 * corrupted while it runs, a full disk while saving a voice, SIGTERM during a synthesis, and
 * clients that disconnect mid-upload or mid-stream. Each leaves a clear JSON error (never a
 * crash), the other models working, the queues drained and no stray files.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as nodeFs from 'node:fs/promises';
import { cp, mkdtemp, open, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { discoverModels } from '../src/engine/discovery.js';
import { ModelPool } from '../src/engine/model-pool.js';
import { installErrorHandling } from '../src/server/error-handler.js';
import { voiceRoutes } from '../src/server/routes/voices.js';
import { FileVoiceStore, type VoiceFs } from '../src/voices/file-voice-store.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, sharedClip } from './helpers/audio.js';
import { startServer } from './helpers/cli.js';
import { form } from './helpers/multipart.js';
import { until } from './helpers/until.js';

const CLIP = sharedClip('spk1_snt1.wav');
const LONG = Array.from({ length: 80 }, (_, i) => `Sentence number ${i + 1} is spoken in order.`).join(' ');
const SPEECH: Record<'kokoro' | 'pocket', Record<string, unknown>> = {
  kokoro: { model: 'kokoro', input: 'Hello there.', voice: 'af_heart', response_format: 'wav' },
  pocket: { model: 'pocket', input: 'Hello there.', ref_audio: base64(CLIP), seed: 3, response_format: 'wav' },
};

const speak = (app: FastifyInstance, model: 'kokoro' | 'pocket') => app.inject({ method: 'POST', url: '/v1/audio/speech', payload: SPEECH[model] });
const transcribe = (app: FastifyInstance) =>
  app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice' }, { bytes: CLIP, name: 'clip.wav' }) as unknown as string });

async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

/** A private copy of some fixture model folders (links kept as links), for tests that break them. */
async function copyOfModels(names = ['kokoro', 'pocket', 'sensevoice', 'silero-vad']): Promise<string> {
  const source = await fixtureModelsDir();
  const dir = await mkdtemp(join(tmpdir(), 'vocable-faults-models-'));
  for (const name of (await readdir(source)).filter((n) => names.includes(n))) {
    await cp(join(source, name), join(dir, name), { recursive: true, verbatimSymlinks: true });
  }
  return dir;
}

/** Points os.tmpdir() at `dir` (for the server, in-process or spawned after this); returns how to undo it. */
function useTmpdir(dir: string): () => void {
  const original = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (original === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = original;
  };
}

/** What the server left in its temp folder; tsx's compile cache is the test's own runner, not the server's. */
async function leftInTmp(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !name.startsWith('tsx-'));
}

async function queueDepth(base: string, id: string): Promise<number> {
  const { data } = (await (await fetch(`${base}/v1/models`)).json()) as { data: { id: string; queue_depth: number }[] };
  return data.find((m) => m.id === id)!.queue_depth;
}

describe('broken models', () => {
  test('a model folder deleted while the server runs: 503 for it, the others keep working; a loaded model keeps serving from memory until unloaded', async () => {
    const modelsDir = await copyOfModels();
    const { app } = await testApp(modelsDir);
    try {
      const loaded = await speak(app, 'pocket');
      assert.equal(loaded.statusCode, 200, loaded.body);
      await rm(join(modelsDir, 'pocket'), { recursive: true });
      await rm(join(modelsDir, 'kokoro'), { recursive: true });

      assertApiError(await speak(app, 'kokoro'), 503, { code: 'model_unavailable', message: /'kokoro' failed to load.*Check the files in \S*kokoro/ });
      const fromMemory = await speak(app, 'pocket');
      assert.equal(fromMemory.statusCode, 200, 'its graphs and vocabulary were read at load time');
      assert.deepEqual(fromMemory.rawPayload, loaded.rawPayload, 'the same audio as before the deletion');
      const other = await transcribe(app);
      assert.equal(other.statusCode, 200, other.body);
      assert.equal((other.json() as { text: string }).text, SENSEVOICE_TEXT);

      assert.equal((await app.inject({ method: 'POST', url: '/v1/models/pocket/unload' })).statusCode, 200);
      assertApiError(await speak(app, 'pocket'), 503, { code: 'model_unavailable', message: /'pocket' failed to load.*Check the files in \S*pocket/ });
      assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    } finally {
      await app.close();
      await rm(modelsDir, { recursive: true, force: true });
    }
  });

  test('a corrupt model file is reported by file name with a 503; the server stays up and the other models work', async () => {
    const modelsDir = await copyOfModels();
    // A garbled header: byte 0x0f opens a protobuf field of wire type 7, which ONNX never uses.
    const kokoro = await open(join(modelsDir, 'kokoro', 'model.onnx'), 'r+');
    await kokoro.write(Buffer.alloc(64, 0x0f), 0, 64, 0);
    await kokoro.close();
    // A download cut off half-way.
    const lmMain = join(modelsDir, 'pocket', 'lm_main.onnx');
    await truncate(lmMain, (await readFile(lmMain)).length >> 1);
    const { app } = await testApp(modelsDir);
    try {
      const listed = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as { data: { id: string }[] };
      assert.deepEqual(listed.data.filter((m) => !('alias_for' in m)).map((m) => m.id).sort(), ['pocket', 'sensevoice'], 'discovery set the unreadable kokoro aside');
      assertApiError(await speak(app, 'kokoro'), 503, { code: 'model_unavailable', message: /kokoro\/model\.onnx is not an ONNX model/ });
      assertApiError(await speak(app, 'pocket'), 503, { code: 'model_unavailable', message: /pocket\/lm_main\.onnx failed/ });
      assert.equal((await transcribe(app)).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    } finally {
      await app.close();
      await rm(modelsDir, { recursive: true, force: true });
    }
  });

  test(
    'a truncated Kokoro model.onnx is reported, not taken for a model without voices',
    async () => {
      const modelsDir = await copyOfModels(['kokoro']);
      const model = join(modelsDir, 'kokoro', 'model.onnx');
      await truncate(model, (await readFile(model)).length >> 1);
      const { app } = await testApp(modelsDir);
      try {
        assertApiError(await speak(app, 'kokoro'), 503, { code: 'model_unavailable', message: /model\.onnx/ });
      } finally {
        await app.close();
        await rm(modelsDir, { recursive: true, force: true });
      }
    },
  );

  test(
    'corruptions sherpa-onnx exits on (a short voices.bin, a garbled tokens.txt) are caught before loading',
    async () => {
      const modelsDir = await copyOfModels(['kokoro', 'sensevoice']);
      await truncate(join(modelsDir, 'kokoro', 'voices.bin'), 1024);
      await writeFile(join(modelsDir, 'sensevoice', 'tokens.txt'), Buffer.from([0x00, 0xff, 0x20, 0x0a, 0x41, 0x0a]));
      const server = await startServer(['--models-dir', modelsDir, '--data-dir', join(modelsDir, '.data'), '--offline']);
      const exitCode = async () => server.child.exitCode ?? ((await once(server.child, 'exit')) as [number | null])[0];
      const answer = (path: string, init: RequestInit) =>
        fetch(`${server.url}${path}`, init).catch(async () => assert.fail(`no answer to ${path}: the server exited with ${await exitCode()}: ${server.log().trim().split('\n').at(-1)}`));
      try {
        const kokoro = await answer('/v1/audio/speech', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SPEECH.kokoro) });
        assert.equal(kokoro.status, 503);
        const stt = await answer('/v1/audio/transcriptions', { method: 'POST', body: form({ model: 'sensevoice' }, { bytes: CLIP }) });
        assert.equal(stt.status, 503);
      } finally {
        await server.stop();
        await rm(modelsDir, { recursive: true, force: true });
      }
    },
  );
});

describe('a full disk while saving a voice', () => {
  let dataDir: string;
  let app: FastifyInstance;
  let diskFull = false;
  let refusedWrites = 0;
  /** Writes half the data, then fails as a full disk does. */
  const fullDisk: VoiceFs = {
    ...nodeFs,
    writeFile: (async (file: string, data: string | Uint8Array) => {
      if (!diskFull) return nodeFs.writeFile(file, data, { flush: true });
      const bytes = Buffer.from(data);
      await nodeFs.writeFile(file, bytes.subarray(0, bytes.length >> 1));
      refusedWrites += 1;
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC', errno: -28, syscall: 'write', path: file });
    }) as typeof nodeFs.writeFile,
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vocable-faults-data-'));
    // buildApp makes its own store on the real disk: the voice routes are mounted here, as it mounts them, over a store whose disk fills up.
    app = Fastify({ logger: false });
    const pool = new ModelPool(await discoverModels(await fixtureModelsDir()), { ...DEFAULT_CONFIG, numThreads: 1, logger: app.log });
    installErrorHandling(app, 1024 * 1024);
    app.register(voiceRoutes({ store: new FileVoiceStore(dataDir, fullDisk), pool, maxAudioBytes: 1024 * 1024, transcriber: () => undefined }));
  });
  after(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the save fails with a 507 saying the disk is full, leaves no half voice, keeps the others, and a retry works once there is room', async () => {
    const save = (name: string, clip: string) => app.inject({ method: 'POST', url: '/v1/voices', payload: { name, audio: base64(sharedClip(clip)), transcript: 'Words.' } });
    const voices = join(dataDir, 'voices');
    assert.equal((await save('keeper', 'spk1_snt2.wav')).statusCode, 201);
    const keeper = { meta: await readFile(join(voices, 'keeper', 'voice.json')), clip: await readFile(join(voices, 'keeper', 'clip.wav')) };

    diskFull = true;
    const failed = await save('lost', 'spk2_snt1.wav');
    assert.ok(refusedWrites > 0, 'the store hit the full disk');
    const error = assertApiError(failed, 507, { code: 'insufficient_storage' });
    assert.equal(error.type, 'server_error');
    assert.match(error.message, /disk is full: voice 'lost' was not saved/);

    assert.deepEqual(await readdir(voices), ['keeper'], 'no staging folder nor half voice is left');
    assertApiError(await app.inject({ method: 'GET', url: '/v1/voices/lost' }), 404);
    assert.deepEqual(await readFile(join(voices, 'keeper', 'voice.json')), keeper.meta);
    assert.deepEqual(await readFile(join(voices, 'keeper', 'clip.wav')), keeper.clip);

    diskFull = false;
    assert.equal((await save('lost', 'spk2_snt1.wav')).statusCode, 201);
    const listed = (await app.inject({ method: 'GET', url: '/v1/voices' })).json() as { data: { id: string }[] };
    assert.deepEqual(listed.data.map((v) => v.id), ['keeper', 'lost']);
  });

  test('an edit that meets a full disk is a 507, leaves no temporary file, and keeps the old transcript', async () => {
    diskFull = true;
    try {
      assertApiError(await app.inject({ method: 'PATCH', url: '/v1/voices/keeper', payload: { transcript: 'New words.' } }), 507, { code: 'insufficient_storage' });
    } finally {
      diskFull = false;
    }
    assert.deepEqual(await readdir(join(dataDir, 'voices', 'keeper')), ['clip.wav', 'voice.json']);
    assert.equal(((await app.inject({ method: 'GET', url: '/v1/voices/keeper' })).json() as { transcript: string }).transcript, 'Words.');
  });
});

test('SIGTERM during a synthesis: the request in flight gets its whole answer, the port closes, the process exits 0, no files are left', async () => {
  const modelsDir = await fixtureModelsDir();
  const modelsBefore = await tree(modelsDir);
  const dataDir = await mkdtemp(join(tmpdir(), 'vocable-faults-data-'));
  const scratch = await mkdtemp(join(tmpdir(), 'vocable-faults-tmp-'));
  const restoreTmpdir = useTmpdir(scratch);
  const server = await startServer(['--models-dir', modelsDir, '--data-dir', dataDir, '--offline']).finally(restoreTmpdir);
  try {
    const synthesize = async () => {
      const response = await fetch(`${server.url}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'kokoro', input: LONG, response_format: 'pcm' }) });
      return { status: response.status, bytes: (await response.arrayBuffer()).byteLength };
    };
    const whole = await synthesize();
    assert.equal(whole.status, 200);

    const inFlight = synthesize();
    await until(async () => (await queueDepth(server.url, 'kokoro')) > 0, 'the synthesis starting');
    const code = await server.stop();
    assert.deepEqual(await inFlight, whole, 'the request in flight got its whole audio');
    assert.equal(code, 0);
    await assert.rejects(fetch(`${server.url}/health`), (error: Error) => (error.cause as NodeJS.ErrnoException).code === 'ECONNREFUSED');

    const log = server.log().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; res?: { statusCode: number } });
    const signalled = log.findIndex((l) => l.msg.startsWith('SIGTERM'));
    const lastAnswer = log.findLastIndex((l) => l.msg === 'request completed');
    assert.ok(signalled >= 0 && lastAnswer > signalled, 'the synthesis was still running when the signal came');
    assert.equal(log[lastAnswer]!.res!.statusCode, 200);

    assert.deepEqual(await leftInTmp(scratch), [], 'no temp files');
    assert.deepEqual(await tree(dataDir), ['voices'], 'nothing left in the data folder');
    assert.deepEqual(await tree(modelsDir), modelsBefore, 'the models folder is unchanged');
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
});

describe('a client that disconnects', () => {
  let app: FastifyInstance;
  let base: string;
  let dataDir: string;
  let scratch: string;
  let restoreTmpdir: () => void;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vocable-faults-data-'));
    scratch = await mkdtemp(join(tmpdir(), 'vocable-faults-tmp-'));
    restoreTmpdir = useTmpdir(scratch);
    ({ app } = await testApp(await fixtureModelsDir(), { dataDir }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app.close();
    restoreTmpdir();
    await rm(scratch, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  async function assertStillServing(model: string): Promise<void> {
    await until(async () => (await queueDepth(base, model)) === 0, `the ${model} queue draining`);
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.deepEqual(await leftInTmp(scratch), [], 'no temp files');
    assert.deepEqual(await tree(dataDir), ['voices'], 'nothing left in the data folder');
  }

  test('mid-upload (half a multipart transcription body): the server keeps serving and the queue drains', async () => {
    const upload = new Request(base, { method: 'POST', body: form({ model: 'sensevoice' }, { bytes: sharedClip('jfk.wav'), name: 'jfk.wav' }) });
    const body = Buffer.from(await upload.arrayBuffer());
    const arrived = new Promise((resolve) => app.server.once('request', resolve));
    const req = httpRequest(`${base}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': upload.headers.get('content-type')!, 'content-length': body.length } });
    req.on('error', () => undefined);
    req.write(body.subarray(0, body.length >> 1));
    await arrived;
    req.destroy();

    await assertStillServing('sensevoice');
    const next = await fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body: form({ model: 'sensevoice' }, { bytes: CLIP }) });
    assert.equal(next.status, 200, await next.clone().text());
    assert.equal(((await next.json()) as { text: string }).text, SENSEVOICE_TEXT);
  });

  test('mid-stream (speech with stream_format audio, a few chunks read): the server keeps serving and the queue drains', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
        let chunks = 0;
        res.on('data', () => {
          chunks += 1;
          if (chunks === 3) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end(JSON.stringify({ model: 'kokoro', input: LONG, response_format: 'mp3', stream_format: 'audio' }));
    });

    await assertStillServing('kokoro');
    const next = await fetch(`${base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SPEECH.kokoro) });
    assert.equal(next.status, 200);
    assert.ok((await next.arrayBuffer()).byteLength > 44);
  });
});
