/**
 * Seeded fuzzing of the API on fixture models: thousands of broken, hostile and odd requests to
 * speech, transcription and voices, each of which must get a 2xx or an OpenAI-shaped 4xx with a
 * message: never a 5xx, a hang or a crash, with resident memory bounded throughout.
 *
 * The seed is fixed (the suite name shows it); FUZZ_SEED=n runs another, FUZZ_SEED=random a fresh
 * one, FUZZ_CASE=category#i replays one
 * case and prints it, FUZZ_SCALE=k runs k times as many cases.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { AudioTooLongError, decodeAudioWithin } from '../src/audio/decode-stream.js';
import { MAX_DECODED_REFERENCE_SECONDS } from '../src/reference/reference-clip.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { hugeClaimWav, realClips, silentFlac, slowRateWav, trackerModule } from './fuzz/audio-cases.js';
import {
  corruptClipCase,
  lyingWavCase,
  magicCase,
  multipartCase,
  rawBody,
  refAudioEncoding,
  sendClip,
  speechMutated,
  speechRandom,
  speechUnicode,
  voicesMutated,
  type Corpus,
  type FuzzCase,
} from './fuzz/cases.js';
import { checkResponse, statusLabel, Tally, type Failure } from './fuzz/outcome.js';
import { caseSeed, Rng } from './fuzz/rng.js';
import { startWatchdog } from './fuzz/watchdog.js';

/** A fixed seed by default, so every run (CI's included) checks the same cases; FUZZ_SEED=random explores new ones. */
const DEFAULT_SEED = 20261125;
const SEED = process.env.FUZZ_SEED === 'random' ? randomInt(2 ** 31) : process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : DEFAULT_SEED;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const ONLY = process.env.FUZZ_CASE;
/** Far above any case's real time (the slowest take ~1 s): past it, the case counts as a hang. */
const CASE_TIMEOUT_MS = 10_000;
/** A case that blocks the event loop this long is a hang no timer can catch: the watchdog ends the run. */
const BLOCKED_LIMIT_MS = 20_000;
/** Upload and reference limits of the fuzz app: small, so oversized parts are cheap to send. */
const UPLOAD_LIMIT = 2 * 1024 * 1024;
/** No single case may raise the process's peak resident memory by this much: that is a bomb. */
const CASE_PEAK_LIMIT = 256 * 1024 * 1024;
/**
 * Resident memory may grow this much over the warmed-up app in the whole run. The heap does
 * not leak (it is flat after GC, round after round); the rest is GC and allocator slack.
 */
const RSS_GROWTH_LIMIT = 1024 * 1024 * 1024;
/** An hour of silence: 30x the longest reference the decoder lets through. */
const BOMB_SECONDS = 3600;

const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;

const CATEGORIES: { name: string; count: number; make: (rng: Rng, corpus: Corpus) => FuzzCase }[] = [
  { name: 'speech-json-mutated', count: 900, make: speechMutated },
  { name: 'speech-json-random', count: 500, make: speechRandom },
  { name: 'speech-unicode', count: 200, make: speechUnicode },
  { name: 'speech-raw-body', count: 300, make: (rng, corpus) => rawBody(rng, corpus, '/v1/audio/speech') },
  { name: 'voices-json', count: 400, make: voicesMutated },
  { name: 'voices-raw-body', count: 150, make: (rng, corpus) => rawBody(rng, corpus, '/v1/voices') },
  { name: 'ref-audio-encoding', count: 250, make: refAudioEncoding },
  { name: 'multipart', count: 400, make: multipartCase },
  { name: 'corrupt-clips', count: 250, make: corruptClipCase },
  { name: 'lying-wav', count: 200, make: lyingWavCase },
  { name: 'magic-garbage', count: 150, make: magicCase },
];

let app: FastifyInstance;
let corpus: Corpus;
let trap: Server;
let trapHits = 0;
let baselineRss = 0;
let peakRss = 0;
let bomb: Promise<Buffer>;
const tally = new Tally();
const stray: string[] = [];
let current = '';
const watchdog = startWatchdog(BLOCKED_LIMIT_MS, (id) => `replay: FUZZ_SEED=${SEED} FUZZ_CASE=${id} node --import tsx --test test/fuzz.test.ts`);
const onStray = (error: unknown) => stray.push(`${current}: ${error instanceof Error ? error.stack : String(error)}`);

async function inject(request: InjectOptions): Promise<LightMyRequestResponse | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CASE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([app.inject(request), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runCase(fuzzCase: FuzzCase): Promise<{ status: string; ms: number; rss: number; problem?: string }> {
  const started = performance.now();
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const outcome = await inject(fuzzCase.request).then(
    (response) =>
      response === 'timeout'
        ? { status: 'hang', problem: `no answer within ${CASE_TIMEOUT_MS} ms` }
        : { status: statusLabel(response), problem: checkResponse(response) },
    (error: unknown) => ({ status: 'threw', problem: `inject threw: ${error instanceof Error ? error.message : String(error)}` }),
  );
  const rss = process.memoryUsage.rss();
  peakRss = Math.max(peakRss, rss);
  const peakRise = process.resourceUsage().maxRSS * 1024 - peakBefore;
  const problem = outcome.problem ?? (peakRise > CASE_PEAK_LIMIT ? `resident memory peaked ${mb(peakRise)} higher during this case` : undefined);
  return { ...outcome, problem, ms: performance.now() - started, rss };
}

const replay = (id: string) => `FUZZ_SEED=${SEED} FUZZ_CASE=${id}`;
const report = (failures: Failure[]) =>
  failures
    .slice(0, 12)
    .map((f) => `  ${f.id}: ${f.problem}\n    case: ${f.description.slice(0, 300)}\n    replay: ${replay(f.id)} node --import tsx --test test/fuzz.test.ts`)
    .join('\n');

before(async () => {
  // Started now, ready by the time the decode-length tests need it.
  bomb = silentFlac(BOMB_SECONDS);
  bomb.catch(() => undefined);
  trap = createServer((_request, response) => {
    trapHits += 1;
    response.end('RIFF');
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  const clips = realClips();
  corpus = {
    clips,
    smallClip: clips.get('spk1_snt1.opus')!,
    smallWav: clips.get('spk2_snt2.wav')!,
    trapUrl: `http://127.0.0.1:${(trap.address() as AddressInfo).port}/clip.wav`,
    uploadLimit: UPLOAD_LIMIT,
  };
  ({ app } = await testApp(await fixtureModelsDir(), { maxUploadBytes: UPLOAD_LIMIT, maxRefAudioBytes: UPLOAD_LIMIT }));
  // Warm up every model and decoder once, so the baseline holds what stays loaded.
  for (const warm of [
    sendClip(new Rng(1), corpus.smallClip, 'warm-up', ['pocket']),
    sendClip(new Rng(1), corpus.smallClip, 'warm-up', ['zipvoice']),
    sendClip(new Rng(1), corpus.smallWav, 'warm-up', ['transcribe']),
    { description: 'warm-up', request: { method: 'POST' as const, url: '/v1/audio/speech', payload: { model: 'kokoro', input: 'Hi.' } } },
  ]) {
    assert.equal((await app.inject(warm.request)).statusCode, 200);
  }
  baselineRss = process.memoryUsage.rss();
  peakRss = baselineRss;
  process.on('unhandledRejection', onStray);
});

after(async () => {
  process.off('unhandledRejection', onStray);
  watchdog.stop();
  await app?.close();
  trap?.close();
  if (tally.categories.size > 0) {
    console.log(`\nAPI fuzz summary, seed ${SEED} (replay: FUZZ_SEED=${SEED}); resident memory ${mb(baselineRss)} warmed up, ${mb(peakRss)} at peak\n${tally.table()}\n`);
  }
});

describe('decoded audio is bounded before decoding completes', { skip: ONLY !== undefined }, () => {
  async function refused(request: InjectOptions, status: number, code: string) {
    const response = await app.inject(request);
    assertApiError(response, status, { code });
    return response;
  }
  beforeEach((t) => {
    current = t.name;
    watchdog.running(t.name);
  });
  const peakGrowth = () => process.resourceUsage().maxRSS * 1024 - baselineRss;
  /** Decoding all of the hour would take over 230 MB at once (its float samples alone). */
  const lowMemory = 150 * 1024 * 1024;

  test(`an hour of FLAC silence (tens of KB) is refused as a reference after ${MAX_DECODED_REFERENCE_SECONDS} s, without becoming gigabytes of PCM`, async () => {
    const flac = await bomb;
    assert.ok(flac.length < 100_000, `${flac.length} bytes`);
    for (const target of ['pocket', 'zipvoice', 'voices-json', 'voices-form']) {
      const response = await refused(sendClip(new Rng(1), flac, 'flac bomb', [target]).request, 400, 'audio_too_long');
      assert.match(response.json().error.message, /too long.*120 s/);
    }
    assert.ok(peakGrowth() < lowMemory, `peak resident memory grew ${mb(peakGrowth())}`);
  });

  test('transcribing it is refused too: it is longer than the server transcribes per request', async () => {
    const response = await refused(sendClip(new Rng(1), await bomb, 'flac bomb', ['transcribe']).request, 400, 'audio_too_long');
    assert.match(response.json().error.message, /at most \d+ s per request/);
    assert.ok(peakGrowth() < lowMemory, `peak resident memory grew ${mb(peakGrowth())}`);
  });

  test('the decoder stops at the cap rather than after decoding everything', async () => {
    const peakBefore = process.resourceUsage().maxRSS;
    await assert.rejects(decodeAudioWithin(await bomb, { maxSeconds: 10 }), AudioTooLongError);
    // The hour's float samples alone would be 230 MB; stopping at 10 s keeps the peak far below that.
    assert.ok((process.resourceUsage().maxRSS - peakBefore) * 1024 < 100 * 1024 * 1024, 'the peak stayed low');
    assert.ok((await decodeAudioWithin(corpus.clips.get('spk1_snt1.flac')!, { maxSeconds: 10 })).samples.length > 0);
  });

  test('a 1 Hz WAV whose 40 KB claim 20 000 s is refused, as a reference and for transcription', async () => {
    for (const target of ['pocket', 'transcribe']) {
      const response = await refused(sendClip(new Rng(1), slowRateWav(), '1 Hz wav', [target]).request, 400, 'invalid_audio');
      assert.match(response.json().error.message, /sample rate of 1 Hz/);
    }
  });

  test('a 2 KB tracker module, which a renderer plays for minutes, is not taken as audio', async () => {
    for (const target of ['pocket', 'voices-json', 'transcribe']) {
      await refused(sendClip(new Rng(1), trackerModule(), 'tracker module', [target]).request, 400, 'invalid_audio');
    }
    assert.ok(peakGrowth() < lowMemory, `peak resident memory grew ${mb(peakGrowth())}`);
  });

  test('a WAV header claiming 4 GB in front of 1 s of audio decodes the second there is', async () => {
    const response = await app.inject(sendClip(new Rng(1), hugeClaimWav(), '4 GB claim', ['voices-json']).request);
    assert.equal(response.statusCode, 201, response.body);
    assert.ok(Math.abs(response.json().duration_seconds - 1) < 0.05);
  });
});

describe(`API fuzz, seed ${SEED} (FUZZ_SEED=${SEED} replays it)`, () => {
  for (const category of CATEGORIES) {
    const count = Math.max(1, Math.round(category.count * SCALE));
    test(`${category.name}: ${count} cases`, async () => {
      const failures: Failure[] = [];
      for (let index = 0; index < count; index += 1) {
        const id = `${category.name}#${index}`;
        if (ONLY !== undefined && ONLY !== id) continue;
        current = id;
        watchdog.running(id);
        let fuzzCase: FuzzCase;
        try {
          fuzzCase = category.make(new Rng(caseSeed(SEED, category.name, index)), corpus);
        } catch (error) {
          failures.push({ id, description: 'generating the case', problem: String(error) });
          continue;
        }
        const strayBefore = stray.length;
        const outcome = await runCase(fuzzCase);
        const problem = outcome.problem ?? (stray.length > strayBefore ? `unhandled rejection: ${stray.at(-1)}` : undefined);
        tally.record(category.name, outcome.status, outcome.ms, problem !== undefined, outcome.rss);
        if (problem) failures.push({ id, description: fuzzCase.description, problem });
        if (ONLY !== undefined) console.log(`${id}: ${fuzzCase.description}\n→ ${outcome.status} in ${Math.round(outcome.ms)} ms${problem ? `: ${problem}` : ''}`);
      }
      assert.equal(failures.length, 0, `${failures.length} of ${count} cases failed (seed ${SEED}):\n${report(failures)}`);
    });
  }

  test('no ref_audio URL was ever fetched', { skip: ONLY !== undefined }, () => {
    assert.equal(trapHits, 0);
  });

  test('no prototype was polluted', () => {
    assert.deepEqual(Object.keys(Object.prototype), []);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('resident memory stayed bounded', { skip: ONLY !== undefined }, () => {
    const growth = Math.max(peakRss, process.resourceUsage().maxRSS * 1024) - baselineRss;
    assert.ok(growth < RSS_GROWTH_LIMIT, `resident memory grew ${mb(growth)} over the warmed-up ${mb(baselineRss)}`);
  });
});
