/**
 * Moonshine and Parakeet end to end: the fixture models (tiny hand-set graphs in each family's
 * real layout, run by the real sherpa-onnx engine; each emits a fixed text per speech segment,
 * Parakeet with token times spread over the segment) behind the real app and Silero VAD, on real
 * recorded speech.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { MOONSHINE_TEXT } from '../fixtures/moonshine.js';
import { PARAKEET_TEXT, PARAKEET_WORDS } from '../fixtures/parakeet.js';
import { encodeWav } from '../src/audio/wav.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { clipsWithSilence, sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';

let app: FastifyInstance;
const oneSentence = sharedClip('spk1_snt1.wav');

function post(url: string, fields: Record<string, string | string[]>, bytes: Uint8Array) {
  return app.inject({ method: 'POST', url, payload: form(fields, { bytes }) as unknown as string });
}
const transcribe = (fields: Record<string, string | string[]>, bytes: Uint8Array = oneSentence) => post('/v1/audio/transcriptions', fields, bytes);

interface Verbose {
  duration: number;
  text: string;
  segments?: { start: number; end: number; text: string; avg_logprob: number | null }[];
  words?: { word: string; start: number; end: number }[];
}

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir()));
});
after(() => app.close());

for (const [model, text] of [['moonshine', MOONSHINE_TEXT], ['parakeet', PARAKEET_TEXT]] as const) {
  describe(model, () => {
    test('json: one sentence gives the exact text', async () => {
      const response = await transcribe({ model });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json<{ text: string }>().text, text);
    });

    test('json: a longer file gives the text once per speech segment', async () => {
      const response = await transcribe({ model }, sharedClip('jfk.wav'));
      assert.equal(response.statusCode, 200, response.body);
      const segments = response.json<{ text: string }>().text.split(text).length - 1;
      assert.ok(segments >= 2, `the VAD found ${segments} segments in jfk.wav`);
      assert.equal(response.json<{ text: string }>().text, Array(segments).fill(text).join(' '));
    });

    test('translations → 400: the model cannot translate', async () => {
      assertApiError(await post('/v1/audio/translations', { model }, oneSentence), 400, { param: 'model', code: 'translation_not_supported', message: new RegExp(`'${model}' cannot translate`) });
    });
  });
}

describe('word timestamps', () => {
  test('parakeet verbose_json: each segment\'s words, in order, inside the segment and the file', async () => {
    const { samples, spans, duration } = await clipsWithSilence(['spk1_snt1.wav', 'spk2_snt2.wav', 'spk1_snt3.wav']);
    const response = await transcribe({ model: 'parakeet', response_format: 'verbose_json', 'timestamp_granularities[]': ['segment', 'word'] }, encodeWav({ samples, sampleRate: 16000 }));
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json<Verbose>();
    assert.ok(Math.abs(body.duration - duration) < 0.01);
    assert.equal(body.segments!.length, spans.length, JSON.stringify(body.segments));
    assert.deepEqual(body.words!.map((w) => w.word), spans.flatMap(() => PARAKEET_WORDS));

    let last = 0;
    body.segments!.forEach((segment, i) => {
      assert.equal(segment.text, PARAKEET_TEXT);
      const words = body.words!.slice(i * PARAKEET_WORDS.length, (i + 1) * PARAKEET_WORDS.length);
      for (const word of words) {
        assert.ok(word.start >= last && word.end >= word.start, `monotonic: ${JSON.stringify(word)}`);
        assert.ok(word.start >= segment.start - 1e-6 && word.end <= segment.end + 1e-6 && word.end <= duration, `${JSON.stringify(word)} inside ${JSON.stringify(segment)}`);
        last = word.start;
      }
      // The fixture spreads its tokens over the segment: the last word starts past its middle.
      assert.ok(words.at(-1)!.start > (segment.start + segment.end) / 2, `words spread over ${JSON.stringify(segment)}: ${JSON.stringify(words)}`);
      // TDT reports how long each token lasts (the fixture: 0.08 s), so the last word ends with its token, not at the segment's end.
      assert.ok(Math.abs(words.at(-1)!.end - words.at(-1)!.start - 0.08) < 0.002, `last word ${JSON.stringify(words.at(-1))} lasts its token's duration`);
      // Transducers report token log-probabilities, averaged per segment.
      assert.equal(typeof segment.avg_logprob, 'number');
    });
  });

  test('moonshine has no token times: verbose_json lists no words and says the granularity was ignored', async () => {
    const response = await transcribe({ model: 'moonshine', response_format: 'verbose_json', 'timestamp_granularities[]': ['segment', 'word'] });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['x-ignored-fields'], 'timestamp_granularities[word]');
    const body = response.json<Verbose>();
    assert.equal(body.text, MOONSHINE_TEXT);
    assert.equal(body.words, undefined);
  });
});

describe('GET /v1/models/{id}', () => {
  const expected = {
    moonshine: { task: 'stt', family: 'moonshine', languages: ['en'], translate: false, word_timestamps: false, sample_rate: 16000, max_segment_seconds: 30 },
    parakeet: { task: 'stt', family: 'parakeet', languages: ['en'], translate: false, word_timestamps: true, sample_rate: 16000, max_segment_seconds: 30 },
  };
  for (const [id, capabilities] of Object.entries(expected)) {
    test(`${id}: its family's capabilities`, async () => {
      const response = await app.inject({ method: 'GET', url: `/v1/models/${id}` });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<{ id: string; object: string; capabilities: unknown }>();
      assert.equal(body.id, id);
      assert.equal(body.object, 'model');
      assert.deepEqual(body.capabilities, capabilities);
    });
  }
});
