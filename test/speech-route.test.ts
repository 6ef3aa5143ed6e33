/**
 * Route-level checks of POST /v1/audio/speech through Fastify's inject(), on fixture models
 * (tiny hand-set weights in each family's real layout, run by the real sherpa-onnx engine).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { decodeAudio } from '../src/audio/decode.js';
import { durationSeconds } from '../src/audio/pcm.js';
import { encodeWav } from '../src/audio/wav.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import type { App } from '../src/server/app.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, parseWav, sharedClip, tone } from './helpers/audio.js';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { until } from './helpers/until.js';

const MAX_REF_BYTES = 512 * 1024;
let harness: App;
let app: FastifyInstance;
const clip = base64(sharedClip('spk1_snt1.wav'));

function speech(body: unknown) {
  return app.inject({ method: 'POST', url: '/v1/audio/speech', payload: body as object });
}

before(async () => {
  harness = await testApp(await fixtureModelsDir(), { maxRefAudioBytes: MAX_REF_BYTES, maxQueue: 1 });
  app = harness.app;
});
after(() => app.close());

describe('successful synthesis', () => {
  test('a preset voice on Kokoro answers a WAV at the model rate', async () => {
    const response = await speech({ model: 'kokoro', input: 'Hello there.', voice: 'af_heart', response_format: 'wav' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'audio/wav');
    const wav = parseWav(response.rawPayload);
    assert.equal(wav.sampleRate, 24000);
    assert.ok(wav.samples.length > 2400, 'at least 0.1 s of audio');
  });

  test('pcm is raw 16-bit samples with the rate in a header', async () => {
    const wav = parseWav((await speech({ model: 'kokoro', input: 'Hello there.', voice: 'af_heart', response_format: 'wav' })).rawPayload);
    const response = await speech({ model: 'kokoro', input: 'Hello there.', voice: 'af_heart', response_format: 'pcm' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'audio/pcm');
    assert.equal(response.headers['x-sample-rate'], '24000');
    assert.equal(response.rawPayload.length, wav.samples.length * 2);
  });

  test('mp3 is the default format, as with OpenAI, and the first preset the default voice', async () => {
    const response = await speech({ model: 'kokoro', input: 'Hello there.' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'audio/mpeg');
    const { voices } = JSON.parse((await app.inject('/v1/models/kokoro')).body).capabilities as { voices: string[] };
    const wav = async (voice?: string) => (await speech({ model: 'kokoro', input: 'Hello there.', response_format: 'wav', ...(voice ? { voice } : {}) })).rawPayload;
    const unnamed = await wav();
    assert.deepEqual(unnamed, await wav(voices[0]), 'no voice speaks as the first preset');
    assert.notDeepEqual(unnamed, await wav(voices[1]), 'the presets sound different, so the comparison means something');
  });

  test('instructions are accepted by a model that cannot use them, and the reply says so', async () => {
    const response = await speech({ model: 'kokoro', input: 'Hello.', voice: 'af_heart', instructions: 'Speak softly.' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-ignored-fields'], 'instructions');
    const plain = await speech({ model: 'kokoro', input: 'Hello.', voice: 'af_heart' });
    assert.equal(plain.headers['x-ignored-fields'], undefined);
  });

  test('Pocket clones from audio alone; ref_audio may be a data URI', async () => {
    const plain = await speech({ model: 'pocket', input: 'Hello there.', ref_audio: clip, seed: 5, response_format: 'wav' });
    assert.equal(plain.statusCode, 200, plain.body);
    const uri = await speech({ model: 'pocket', input: 'Hello there.', ref_audio: `data:audio/wav;base64,${clip}`, seed: 5, response_format: 'wav' });
    assert.equal(uri.statusCode, 200, uri.body);
    assert.deepEqual(uri.rawPayload, plain.rawPayload);
  });

  test('ZipVoice clones from audio and its transcript', async () => {
    const response = await speech({ model: 'zipvoice', input: 'Hello there.', ref_audio: clip, ref_text: 'The words in the clip.', response_format: 'wav' });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(parseWav(response.rawPayload).samples.length > 0);
  });

  test("ZipVoice conditions on the request's ref_text: a transcript of more tokens paces the same input faster", async () => {
    const withText = async (refText: string) => {
      const response = await speech({ model: 'zipvoice', input: 'Hello there.', ref_audio: clip, ref_text: refText, response_format: 'wav' });
      assert.equal(response.statusCode, 200, response.body);
      return parseWav(response.rawPayload).samples.length;
    };
    // As in ZipVoice, the generated length is the clip's frames × input tokens ÷ transcript tokens.
    const short = await withText('The words in the clip.');
    const long = await withText('The words in the clip, and then a great many more words spoken after them.');
    assert.ok(long < short, `a longer transcript gives shorter speech (${long} vs ${short} samples)`);
  });
});

describe('every response_format', () => {
  const types = { mp3: 'audio/mpeg', opus: 'audio/ogg', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', pcm: 'audio/pcm' } as const;
  for (const [format, type] of Object.entries(types)) {
    test(`${format}: ${type}, decodable, at the rate X-Sample-Rate names`, async () => {
      const response = await speech({ model: 'kokoro', input: 'Hello there, general Kenobi.', response_format: format, sample_rate: 10000 });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['content-type'], type);
      const rate = Number(response.headers['x-sample-rate']);
      assert.equal(rate, { mp3: 11025, aac: 11025, opus: 12000 }[format as 'mp3'] ?? 10000);
      if (format === 'pcm') return;
      const decoded = await decodeAudio(response.rawPayload);
      // Opus always decodes at 48 kHz; audio-decode doubles AAC rates at 24 kHz and below (SBR).
      if (format === 'opus') assert.equal(decoded.sampleRate, 48000);
      else if (format === 'aac') assert.ok([rate, rate * 2].includes(decoded.sampleRate));
      else assert.equal(decoded.sampleRate, rate);
      const wav = parseWav((await speech({ model: 'kokoro', input: 'Hello there, general Kenobi.', response_format: 'wav', sample_rate: 10000 })).rawPayload);
      const expected = wav.samples.length / wav.sampleRate;
      // mp3 and aac add encoder priming and padding; the others keep the length.
      assert.ok(Math.abs(durationSeconds(decoded) - expected) < 0.15, `${durationSeconds(decoded)} s against ${expected} s`);
    });
  }

  test('aac without ffmpeg on the PATH → 400 saying what to install', async () => {
    const path = process.env.PATH;
    process.env.PATH = '';
    try {
      assertApiError(await speech({ model: 'kokoro', input: 'Hi', response_format: 'aac' }), 400, { param: 'response_format', code: 'encoder_unavailable', message: /apt-get install ffmpeg/ });
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('request validation', () => {
  const cases: { name: string; body: Record<string, unknown>; status: number; param: string | null; code?: string; message: RegExp }[] = [
    { name: 'model missing', body: { input: 'Hi' }, status: 400, param: 'model', message: /model/ },
    { name: 'model unknown', body: { model: 'no-such-model', input: 'Hi' }, status: 404, param: 'model', code: 'model_not_found', message: /kokoro.*pocket.*zipvoice/ },
    { name: 'input missing', body: { model: 'kokoro' }, status: 400, param: 'input', message: /input/ },
    { name: 'input empty', body: { model: 'kokoro', input: '' }, status: 400, param: 'input', message: /empty/ },
    { name: 'input whitespace', body: { model: 'kokoro', input: '  \n\t ' }, status: 400, param: 'input', message: /whitespace/ },
    { name: 'input too long', body: { model: 'kokoro', input: 'a'.repeat(DEFAULT_CONFIG.maxInputChars + 1) }, status: 400, param: 'input', message: /4096/ },
    { name: 'speed too low', body: { model: 'kokoro', input: 'Hi', speed: 0.1 }, status: 400, param: 'speed', message: /0\.25 and 4/ },
    { name: 'speed too high', body: { model: 'kokoro', input: 'Hi', speed: 4.5 }, status: 400, param: 'speed', message: /0\.25 and 4/ },
    { name: 'speed not a number', body: { model: 'kokoro', input: 'Hi', speed: 'fast' }, status: 400, param: 'speed', code: 'invalid_type', message: /number/ },
    { name: 'format not supported', body: { model: 'kokoro', input: 'Hi', response_format: 'm4a' }, status: 400, param: 'response_format', message: /'m4a'.*mp3, opus, aac, flac, wav, pcm/ },
    { name: 'sample_rate out of range', body: { model: 'kokoro', input: 'Hi', sample_rate: 96000 }, status: 400, param: 'sample_rate', message: /8000 and 48000/ },
    { name: 'stream_format unknown', body: { model: 'kokoro', input: 'Hi', stream_format: 'websocket' }, status: 400, param: 'stream_format', message: /"audio" or "sse"/ },
    { name: 'voice unknown', body: { model: 'kokoro', input: 'Hi', voice: 'nobody' }, status: 400, param: 'voice', code: 'unknown_voice', message: /af_heart, am_adam, bf_emma/ },
    { name: 'cloning on a preset-only model', body: { model: 'kokoro', input: 'Hi', ref_audio: clip }, status: 400, param: 'ref_audio', code: 'cloning_not_supported', message: /cannot clone.*pocket, zipvoice/ },
    { name: 'cloning model without a clip', body: { model: 'pocket', input: 'Hi' }, status: 400, param: 'ref_audio', code: 'missing_ref_audio', message: /send ref_audio/ },
    { name: 'ZipVoice without ref_text', body: { model: 'zipvoice', input: 'Hi', ref_audio: clip }, status: 400, param: 'ref_text', code: 'missing_ref_text', message: /ref_text/ },
    { name: 'ZipVoice with blank ref_text', body: { model: 'zipvoice', input: 'Hi', ref_audio: clip, ref_text: '   ' }, status: 400, param: 'ref_text', code: 'missing_ref_text', message: /ref_text/ },
    { name: 'ref_text without ref_audio', body: { model: 'zipvoice', input: 'Hi', ref_text: 'words' }, status: 400, param: 'ref_audio', message: /without ref_audio/ },
    { name: 'ref_audio not base64', body: { model: 'pocket', input: 'Hi', ref_audio: 'this is not base64!' }, status: 400, param: 'ref_audio', code: 'invalid_base64', message: /not valid base64/ },
    { name: 'ref_audio a URL', body: { model: 'pocket', input: 'Hi', ref_audio: 'https://example.com/voice.wav' }, status: 400, param: 'ref_audio', code: 'invalid_base64', message: /never fetched/ },
    { name: 'ref_audio a data URI without base64', body: { model: 'pocket', input: 'Hi', ref_audio: 'data:audio/wav,abcd' }, status: 400, param: 'ref_audio', code: 'invalid_base64', message: /base64/ },
    { name: 'ref_audio empty', body: { model: 'pocket', input: 'Hi', ref_audio: '' }, status: 400, param: 'ref_audio', code: 'invalid_base64', message: /empty/ },
    { name: 'ref_audio not audio', body: { model: 'pocket', input: 'Hi', ref_audio: base64(Buffer.from('just some text, no audio in here')) }, status: 400, param: 'ref_audio', code: 'invalid_audio', message: /could not be decoded/ },
    { name: 'ref_audio under 1 s', body: { model: 'pocket', input: 'Hi', ref_audio: base64(encodeWav(tone(0.5, 16000))) }, status: 400, param: 'ref_audio', code: 'audio_too_short', message: /0\.50 s.*at least 1 s/ },
    { name: 'ref_audio only silence', body: { model: 'pocket', input: 'Hi', ref_audio: base64(encodeWav(tone(3, 16000, 220, 0))) }, status: 400, param: 'ref_audio', code: 'audio_too_short', message: /silence/ },
    { name: 'ref_audio over the size limit', body: { model: 'pocket', input: 'Hi', ref_audio: base64(Buffer.alloc(MAX_REF_BYTES + 1024, 1)) }, status: 413, param: 'ref_audio', code: 'payload_too_large', message: /limit is 0\.5 MB/ },
    { name: 'ZipVoice clip longer than it takes', body: { model: 'zipvoice', input: 'Hi', ref_text: 'words', ref_audio: base64(encodeWav(tone(25, 8000))) }, status: 400, param: 'ref_audio', code: 'audio_too_long', message: /model 'zipvoice' takes reference clips of 1-20 s/ },
  ];
  for (const c of cases) {
    test(`${c.name} → ${c.status}`, async () => {
      assertApiError(await speech(c.body), c.status, { param: c.param, code: c.code, message: c.message });
    });
  }

  test('a body beyond the request size limit → 413, whatever field makes it large', async () => {
    // Not ref_audio, whose own size check would answer 413 too: the body limit alone must stop this.
    const response = await speech({ model: 'kokoro', input: 'Hi', padding: 'A'.repeat(4 * 1024 * 1024) });
    assertApiError(response, 413, { code: 'payload_too_large', message: /request body is larger than \d+ bytes/ });
  });

  test('malformed JSON → 400', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', headers: { 'content-type': 'application/json' }, payload: '{"model": ' });
    assertApiError(response, 400, { message: /JSON/ });
  });

  test('a JSON array body → 400', async () => {
    assertApiError(await speech([1, 2]), 400, { message: /JSON object/ });
  });

  test('a non-JSON content type → 415', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    assertApiError(response, 415, { message: /application\/json/ });
  });

  test('an unknown route → 404 in the same shape', async () => {
    assertApiError(await app.inject({ method: 'GET', url: '/v1/nothing-here' }), 404, { code: 'not_found', message: /GET \/v1\/nothing-here/ });
  });

  test('a full queue → 503 that says to retry', async () => {
    let release!: () => void;
    const blocker = harness.pool.run('kokoro', () => new Promise<void>((resolve) => (release = resolve)));
    const waiting = speech({ model: 'kokoro', input: 'I wait my turn.' });
    await until(() => harness.pool.queueDepth('kokoro') === 2, 'the second request queued');
    const refused = await speech({ model: 'kokoro', input: 'No room for me.' });
    assertApiError(refused, 503, { code: 'server_busy', message: /busy.*Retry/ });
    release();
    await blocker;
    assert.equal((await waiting).statusCode, 200, 'the queued request is still served');
  });
});

test('a full queue refuses speech at once with a 503, before the reference clip is decoded', async () => {
  const busy = await testApp(await fixtureModelsDir(), { maxQueue: 0 });
  try {
    // A job that holds the model until the test lets it go.
    let release: (() => void) | undefined;
    const held = busy.pool.runTts('pocket', () => new Promise<void>((resolve) => (release = resolve)));
    // Not audio at all: decoding it would be a 400, so a 503 shows the queue was checked first.
    const refused = await busy.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', input: 'Hello.', ref_audio: base64(Buffer.from('not a clip at all, just words')) } });
    assertApiError(refused, 503, { message: /Model 'pocket' is busy: 1 requests are running or waiting\. Retry in [\d.]+ s/ });
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    release();
    await held;
    assertApiError(await busy.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'pocket', input: 'Hello.', ref_audio: base64(Buffer.from('not a clip at all, just words')) } }), 400);
  } finally {
    await busy.app.close();
  }
});
