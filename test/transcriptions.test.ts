/**
 * POST /v1/audio/transcriptions and /translations on the fixture SenseVoice model (a tiny
 * hand-set graph in the family's real layout, run by the real sherpa-onnx engine; it emits a
 * fixed text per segment, with token times spread over the segment) and the real Silero VAD on
 * real recorded speech.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { createParser } from 'eventsource-parser';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import { encodeWav } from '../src/audio/wav.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { clipsWithSilence, sharedClip, tone } from './helpers/audio.js';
import { form } from './helpers/multipart.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), 'data');
let app: FastifyInstance;
const jfk = sharedClip('jfk.wav');

function post(url: string, fields: Record<string, string | string[]>, bytes?: Uint8Array) {
  return app.inject({ method: 'POST', url, payload: form(fields, bytes ? { bytes } : undefined) as unknown as string });
}
const transcribe = (fields: Record<string, string | string[]>, bytes: Uint8Array | null = jfk) => post('/v1/audio/transcriptions', fields, bytes ?? undefined);

interface Verbose {
  task: string;
  language: string;
  duration: number;
  text: string;
  segments: { id: number; start: number; end: number; text: string }[];
  words?: { word: string; start: number; end: number }[];
}

/** Three real clips with 2 s of silence before each: where each clip starts, and the file. */
async function threeClipsWithSilence(): Promise<{ starts: number[]; wav: Buffer; duration: number }> {
  const { samples, spans, duration } = await clipsWithSilence(['spk1_snt1.wav', 'spk2_snt2.wav', 'spk1_snt3.wav']);
  return { starts: spans.map(([start]) => start), wav: encodeWav({ samples, sampleRate: 16000 }), duration };
}

/** Parses SRT or VTT cues back into times and text. */
function parseCues(body: string): { start: number; end: number; text: string }[] {
  const time = (t: string) => {
    const [h, m, s] = t.replace(',', '.').split(':').map(Number);
    return h! * 3600 + m! * 60 + s!;
  };
  return [...body.matchAll(/(\d\d:\d\d:\d\d[.,]\d{3}) --> (\d\d:\d\d:\d\d[.,]\d{3})\n(.+)/g)].map((m) => ({ start: time(m[1]!), end: time(m[2]!), text: m[3]! }));
}

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir()));
});
after(() => app.close());

describe('response formats', () => {
  test('json: the text of every speech segment', async () => {
    const response = await transcribe({ model: 'sensevoice' });
    assert.equal(response.statusCode, 200, response.body);
    const text = (response.json() as { text: string }).text;
    const segments = text.split(SENSEVOICE_TEXT).length - 1;
    assert.ok(segments >= 2, `the VAD found ${segments} segments in jfk.wav`);
    assert.equal(text, Array(segments).fill(SENSEVOICE_TEXT).join(' '));
  });

  test('text', async () => {
    const response = await transcribe({ model: 'sensevoice', response_format: 'text' });
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.equal(response.body.trim(), (await transcribe({ model: 'sensevoice' })).json<{ text: string }>().text);
  });

  for (const format of ['srt', 'vtt'] as const) {
    test(`${format}: parses back; cues in order, within the file`, async () => {
      const response = await transcribe({ model: 'sensevoice', response_format: format });
      assert.equal(response.statusCode, 200);
      if (format === 'vtt') assert.ok(response.body.startsWith('WEBVTT\n\n'));
      if (format === 'srt') assert.ok(response.body.startsWith('1\n'));
      const cues = parseCues(response.body);
      assert.ok(cues.length >= 2);
      cues.forEach((cue, i) => {
        assert.equal(cue.text, SENSEVOICE_TEXT);
        assert.ok(cue.start < cue.end && cue.end <= 11.0 + 1e-6, `cue ${i} ${cue.start}-${cue.end}`);
        if (i > 0) assert.ok(cue.start >= cues[i - 1]!.end, 'monotonic');
      });
    });
  }

  test('verbose_json: segments at the real clips\' start times, words when asked', async () => {
    const { starts, wav, duration } = await threeClipsWithSilence();
    const response = await transcribe({ model: 'sensevoice', response_format: 'verbose_json', 'timestamp_granularities[]': ['segment', 'word'] }, wav);
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as Verbose;
    assert.equal(body.task, 'transcribe');
    assert.ok(Math.abs(body.duration - duration) < 0.01);
    assert.equal(body.segments.length, 3, JSON.stringify(body.segments));
    body.segments.forEach((segment, i) => {
      assert.ok(Math.abs(segment.start - starts[i]!) < 0.15, `segment ${i} starts at ${segment.start}, its clip at ${starts[i]}`);
      assert.equal(segment.text, SENSEVOICE_TEXT);
    });
    assert.ok(body.words && body.words.length >= 3);
    let last = 0;
    for (const word of body.words!) {
      assert.ok(word.start >= last - 1e-6 && word.end >= word.start && word.end <= duration, JSON.stringify(word));
      last = word.start;
      assert.ok(body.segments.some((s) => word.start >= s.start - 1e-6 && word.end <= s.end + 1e-6), 'each word lies in a segment');
    }
  });
});

describe('families', () => {
  test('translations with a model that cannot translate → 400', async () => {
    assertApiError(await post('/v1/audio/translations', { model: 'sensevoice' }, jfk), 400, { param: 'model', code: 'translation_not_supported' });
  });

  test('every common container is accepted', async () => {
    for (const name of ['spk1_snt1.m4a', 'spk1_snt1.webm', 'spk1_snt1.opus', 'spk1_snt1.ogg', 'spk1_snt1.flac']) {
      const response = await transcribe({ model: 'sensevoice' }, readFileSync(join(DATA, name)));
      assert.equal(response.statusCode, 200, `${name}: ${response.body}`);
      assert.equal((response.json() as { text: string }).text, SENSEVOICE_TEXT, name);
    }
    assert.equal((await transcribe({ model: 'sensevoice' }, sharedClip('jfk.mp3'))).statusCode, 200);
  });
});

test('stream=true: transcript.text.delta events, then transcript.text.done', async () => {
  const response = await transcribe({ model: 'sensevoice', stream: 'true' });
  assert.match(String(response.headers['content-type']), /^text\/event-stream/);
  const events: { type: string; delta?: string; text?: string; start?: number; end?: number }[] = [];
  const parser = createParser({ onEvent: (event) => events.push(JSON.parse(event.data)) });
  parser.feed(response.body);
  const done = events.at(-1)!;
  assert.equal(done.type, 'transcript.text.done');
  const deltas = events.slice(0, -1);
  assert.ok(deltas.length >= 2 && deltas.every((e) => e.type === 'transcript.text.delta'));
  assert.equal(deltas.map((e) => e.delta).join(''), done.text);
  // Each delta says where its segment lies in the file, in order: how far the transcription has got.
  const ends = deltas.map((e) => e.end!);
  assert.deepEqual(ends, [...ends].sort((a, b) => a - b));
  assert.ok(deltas.every((e) => e.start! < e.end! && e.end! <= 11.01), JSON.stringify(deltas));
});

describe('bad input', () => {
  const cases: [string, Record<string, string | string[]>, Uint8Array | null, number, RegExp][] = [
    ['no file', { model: 'sensevoice' }, null, 400, /file is required/],
    ['an empty file', { model: 'sensevoice' }, new Uint8Array(0), 400, /empty/],
    ['bytes that are not audio', { model: 'sensevoice' }, Buffer.from('this is a text file, not audio'), 400, /not a readable audio file/],
    ['a truncated flac', { model: 'sensevoice' }, readFileSync(join(DATA, 'spk1_snt1.flac')).subarray(0, 300), 400, /file/],
    ['no model', {}, jfk, 400, /model is required/],
    ['an unknown model', { model: 'no-such-model' }, jfk, 404, /does not exist/],
    ['a text-to-speech model', { model: 'kokoro' }, jfk, 400, /text into speech/],
    ['an unknown response_format', { model: 'sensevoice', response_format: 'docx' }, jfk, 400, /json, text, srt, vtt, verbose_json/],
    ['an unknown granularity', { model: 'sensevoice', 'timestamp_granularities[]': 'phoneme' }, jfk, 400, /segment.*word/],
    ['a language the model does not know', { model: 'sensevoice', language: 'xx' }, jfk, 400, /zh, en, ja, ko, yue/],
    ['temperature out of range', { model: 'sensevoice', temperature: '3' }, jfk, 400, /between 0 and 1/],
  ];
  for (const [name, fields, bytes, status, message] of cases) {
    test(`${name} → ${status}`, async () => {
      assertApiError(await transcribe(fields, bytes), status, { message });
    });
  }

  test('a JSON body instead of multipart → 400 saying what to send', async () => {
    assertApiError(await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: { model: 'sensevoice' } }), 400, { message: /multipart\/form-data/ });
  });

  test('an upload over the limit → 413', async () => {
    const small = await testApp(await fixtureModelsDir(), { maxUploadBytes: 200_000 });
    const response = await small.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice' }, { bytes: encodeWav(tone(10, 16000)) }) as unknown as string });
    assertApiError(response, 413, { message: /larger than/ });
    await small.app.close();
  });

  test('silence gives an empty transcript, not an error', async () => {
    const response = await transcribe({ model: 'sensevoice' }, encodeWav(tone(3, 16000, 220, 0)));
    assert.equal(response.statusCode, 200);
    assert.equal((response.json() as { text: string }).text, '');
  });
});

test('a full queue refuses a transcription at once with a 503, before its upload is decoded', async () => {
  const busy = await testApp(await fixtureModelsDir(), { maxQueue: 0 });
  try {
    // A job that holds the model until the test lets it go.
    let release: (() => void) | undefined;
    const held = busy.pool.runStt('sensevoice', { task: 'transcribe' }, () => new Promise<void>((resolve) => (release = resolve)));
    const refused = await busy.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice' }, { bytes: jfk }) as unknown as string });
    assertApiError(refused, 503, { message: /Model 'sensevoice' is busy: 1 requests are running or waiting\. Retry in [\d.]+ s/ });
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    release();
    await held;
    assert.equal((await transcribeWith(busy.app)).statusCode, 200, 'served once the model is free');
  } finally {
    await busy.app.close();
  }
});

function transcribeWith(target: FastifyInstance) {
  return target.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: 'sensevoice' }, { bytes: jfk }) as unknown as string });
}
