/**
 * The saved-voice store under attack: transcripts as long as a client likes, every voice
 * operation racing every other (seeded, many rounds, never a 5xx), and kill -9 at each write step
 * of a save, an edit and a delete (a real child process, then a restart that must find the store
 * consistent and clean).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { InjectOptions } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { encodeWav } from '../src/audio/wav.js';
import { FileVoiceStore } from '../src/voices/file-voice-store.js';
import type { App } from '../src/server/app.js';
import { MAX_TRANSCRIPT_CHARS } from '../src/voices/saved-voice.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, tone } from './helpers/audio.js';
import { caseSeed, Rng } from './fuzz/rng.js';
import { raceBatch } from './fuzz/voice-races.js';

/** Fixed, so every run races the same way; FUZZ_SEED=n tries another. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261130) >>> 0;
const RACE_ROUNDS = 400 * Number(process.env.FUZZ_SCALE ?? 1);

const CLIP = base64(encodeWav(tone(1.5, 24000)));

let modelsDir: string;
let harness: App;

before(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'vocable-store-models-'));
  harness = await testApp(modelsDir);
});
after(async () => {
  await harness.app.close();
  await rm(modelsDir, { recursive: true, force: true });
});

const save = (name: string, transcript?: string) => harness.app.inject({ method: 'POST', url: '/v1/voices', payload: { name, audio: CLIP, ...(transcript === undefined ? {} : { transcript }) } });
const patch = (name: string, transcript: unknown) => harness.app.inject({ method: 'PATCH', url: `/v1/voices/${name}`, payload: { transcript } });

describe('transcript bounds', () => {
  test('PATCH refuses a transcript longer than the models take, as create does, and keeps the old one', async () => {
    assert.equal((await save('bounded', 'first words')).statusCode, 201);
    const longest = 'a'.repeat(MAX_TRANSCRIPT_CHARS);
    assert.equal((await patch('bounded', longest)).statusCode, 200);
    assertApiError(await patch('bounded', `${longest}b`), 400, { param: 'transcript', message: new RegExp(`at most ${MAX_TRANSCRIPT_CHARS}`) });
    assertApiError(await patch('bounded', 'x'.repeat(5 * 1024 * 1024)), 400, { param: 'transcript' });
    const kept = (await harness.app.inject({ method: 'GET', url: '/v1/voices/bounded' })).json() as { transcript: string };
    assert.equal(kept.transcript, longest, 'a refused edit changes nothing');
    const list = await harness.app.inject({ method: 'GET', url: '/v1/voices' });
    assert.ok(list.body.length < 10 * MAX_TRANSCRIPT_CHARS, `GET /v1/voices stays small (${list.body.length} bytes)`);
  });

  test('create refuses the same over-long transcript, as JSON and as multipart', async () => {
    const over = 'w'.repeat(MAX_TRANSCRIPT_CHARS + 1);
    assertApiError(await save('too-long', over), 400, { param: 'transcript' });
    const form = new FormData();
    form.append('name', 'too-long-form');
    form.append('transcript', over);
    form.append('file', new Blob([new Uint8Array(Buffer.from(CLIP, 'base64'))]), 'clip.wav');
    assertApiError(await harness.app.inject({ method: 'POST', url: '/v1/voices', payload: form as unknown as string }), 400, { param: 'transcript' });
    assertApiError(await harness.app.inject({ method: 'GET', url: '/v1/voices/too-long' }), 404);
    assertApiError(await harness.app.inject({ method: 'GET', url: '/v1/voices/too-long-form' }), 404);
  });
});

async function send(base: string, request: InjectOptions): Promise<{ status: number; body: string }> {
  const hasBody = request.payload !== undefined;
  const response = await fetch(`${base}${String(request.url)}`, {
    method: request.method,
    headers: hasBody ? { 'content-type': 'application/json' } : {},
    body: hasBody ? JSON.stringify(request.payload) : undefined,
  });
  return { status: response.status, body: await response.text() };
}

/** What a voices folder must look like at rest: whole voices only, nothing half-written or hidden. */
async function assertStoreClean(dataDir: string, listed: readonly string[]): Promise<void> {
  const root = join(dataDir, 'voices');
  const entries = (await readdir(root)).sort();
  assert.deepEqual(entries, [...listed].sort(), 'every folder is a listed voice, and no scratch folder is left');
  for (const name of entries) assert.deepEqual((await readdir(join(root, name))).sort(), ['clip.wav', 'voice.json'], `voice '${name}' holds its two files and no temp file`);
}

describe('races on every voice operation', () => {
  test(`${RACE_ROUNDS} rounds of overlapping saves, edits, reads and deletes (seed ${SEED}): never a 5xx, the store stays whole`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vocable-races-'));
    // The fixture models, so that speech with a saved voice (Pocket clones) races too.
    const raced = await testApp(await fixtureModelsDir(), { dataDir });
    const statuses = new Map<string, number>();
    const failures: string[] = [];
    let cases = 0;
    const url = await raced.app.listen({ port: 0, host: '127.0.0.1' });
    try {
      for (let round = 0; round < RACE_ROUNDS; round += 1) {
        const rng = new Rng(caseSeed(SEED, 'voice-race', round));
        const ops = raceBatch(rng, ['ra', 'rb', 'rc'], CLIP, 'pocket');
        // Over real sockets, each sent after a seeded pause of up to 3 ms, so the interleavings vary.
        const responses = await Promise.all(ops.map(async (op) => {
          await delay(rng.int(0, 3));
          return send(url, op.request);
        }));
        responses.forEach(({ status, body }, i) => {
          cases += 1;
          const key = `${ops[i]!.request.method} ${status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          if (!ops[i]!.allowed.includes(status)) failures.push(`round ${round}, ${ops[i]!.label}: ${status} ${body.slice(0, 200)}`);
        });
      }
      const list = (await raced.app.inject({ method: 'GET', url: '/v1/voices' })).json() as { data: { id: string }[] };
      await assertStoreClean(dataDir, list.data.map((v) => v.id));
    } finally {
      await raced.app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
    console.log(`voice races: ${cases} cases, ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${cases} raced requests failed`);
  });
});

const CHILD = join(import.meta.dirname, 'fuzz', 'voice-store-child.ts');

/** Runs the child until it freezes at `step` (then kill -9) or finishes; returns what it printed. */
async function runAndKill(dataDir: string, operation: string, step: number, mode: 'before' | 'half'): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, operation, String(step), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  for await (const chunk of child.stdout) {
    out += String(chunk);
    if (out.includes('paused')) {
      child.kill('SIGKILL');
      break;
    }
    if (out.includes('done')) break;
  }
  const signal = await exited;
  if (out.includes('paused')) assert.equal(signal, 'SIGKILL');
  return out.trim();
}

/** A data folder holding voices 'keep' and (unless `withTarget` is false) 'target', written by a store as a server would. */
async function seededDataDir(withTarget: boolean): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vocable-kill-'));
  const store = new FileVoiceStore(dataDir);
  const base = { object: 'voice' as const, created_at: 1, model: null, sample_rate: 24000, duration_seconds: 1 };
  await store.create({ ...base, id: 'keep', transcript: 'kept words' }, tone(1, 24000));
  if (withTarget) await store.create({ ...base, id: 'target', transcript: 'old words' }, tone(1, 24000));
  return dataDir;
}

describe('kill -9 at every write step', () => {
  const operations = [
    { operation: 'create', before: null, after: 'new words' },
    { operation: 'update', before: 'old words', after: 'new words' },
    { operation: 'delete', before: 'old words', after: null },
  ] as const;
  for (const { operation, before: old, after: changed } of operations) {
    test(`${operation}: killed at each write, the restarted store holds the voice before or after, whole, and nothing half-written`, async () => {
      const seen: string[] = [];
      for (let step = 1; step < 20; step += 1) {
        let finished = false;
        for (const mode of ['before', 'half'] as const) {
          const dataDir = await seededDataDir(operation !== 'create');
          try {
            const out = await runAndKill(dataDir, operation, step, mode);
            if (out === 'done') {
              finished = true;
              continue;
            }
            seen.push(`${mode} ${out.replace(dataDir, '')}`);
            const restarted = new FileVoiceStore(dataDir);
            const voices = await restarted.list();
            await assertStoreClean(dataDir, voices.map((v) => v.id));
            assert.equal(voices.find((v) => v.id === 'keep')?.transcript, 'kept words', 'the other voice is untouched');
            const target = voices.find((v) => v.id === 'target');
            assert.ok([old, changed].includes(target ? target.transcript as never : null), `after ${out}: target is ${JSON.stringify(target?.transcript ?? null)}`);
            if (target) assert.ok((await restarted.audio('target'))!.samples.length > 0, 'its clip decodes');
          } finally {
            await rm(dataDir, { recursive: true, force: true });
          }
        }
        if (finished) break;
      }
      console.log(`kill -9 during ${operation}: ${seen.length} kills: ${seen.join(' | ')}`);
      assert.ok(seen.length >= 2, 'the operation was killed at several steps');
    });
  }
});
