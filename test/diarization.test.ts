/**
 * Who spoke when: `response_format=diarized_json` (and speaker labels on the other formats) on
 * the fixture pyannote segmentation and WeSpeaker-shaped embedding models, run by the real
 * sherpa-onnx diarizer on real clips of two voices (spk1_* near 200 Hz, spk2_* near 135 Hz),
 * with the fixture SenseVoice recognizer and the real Silero VAD.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createParser } from 'eventsource-parser';
import type { FastifyInstance } from 'fastify';
import OpenAI, { toFile } from 'openai';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { encodeWav } from '../src/audio/wav.js';
import { discoverModels } from '../src/engine/discovery.js';
import { ModelPool } from '../src/engine/model-pool.js';
import { diarizedTranscribe } from '../src/transcription/diarized-transcribe.js';
import { AudioMeter } from '../src/transcription/transcribe.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { clipsWithSilence, sharedClip } from './helpers/audio.js';
import { form } from './helpers/multipart.js';
import { assertSchema } from './helpers/openai-schema.js';

interface Diarized {
  task: string;
  duration: number;
  text: string;
  segments: { type: string; id: string; start: number; end: number; text: string; speaker: string }[];
}

let app: FastifyInstance;
const MODEL = FIXTURE_MODELS.sensevoice;

const transcribe = (fields: Record<string, string | string[]>, bytes: Uint8Array) =>
  app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form(fields, { bytes }) as unknown as string });

const dataUrl = (name: string) => `data:audio/wav;base64,${sharedClip(name).toString('base64')}`;

/** Real clips with 2 s of silence before each: the WAV and the spans of each clip. */
async function conversation(names: string[]): Promise<{ wav: Buffer; spans: [number, number][] }> {
  const { samples, spans } = await clipsWithSilence(names);
  return { wav: encodeWav({ samples, sampleRate: 16000 }), spans };
}

/** The speaker of the segments that overlap each span (one label per span expected). */
function speakersBySpan(segments: Diarized['segments'], spans: [number, number][]): string[][] {
  return spans.map(([from, to]) => [...new Set(segments.filter((s) => s.end > from && s.start < to).map((s) => s.speaker))]);
}

const TWO_VOICES = ['spk1_snt1.wav', 'spk2_snt1.wav', 'spk1_snt2.wav', 'spk2_snt2.wav'];

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir()));
});
after(() => app.close());

describe('diarized_json', () => {
  test('two voices come out as two speakers, lettered in order of appearance, each on its own turns', async () => {
    const { wav, spans } = await conversation(TWO_VOICES);
    const response = await transcribe({ model: MODEL, response_format: 'diarized_json' }, wav);
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as Diarized;
    assert.deepEqual(speakersBySpan(body.segments, spans), [['A'], ['B'], ['A'], ['B']]);
    assert.deepEqual([...new Set(body.segments.map((s) => s.speaker))].sort(), ['A', 'B']);
    assert.equal(body.task, 'transcribe');
    assert.ok(Math.abs(body.duration - spans.at(-1)![1] - 1) < 0.05, `duration ${body.duration}`);
    assert.equal(body.text, body.segments.map((s) => s.text).join(' '));
    assert.deepEqual(body.segments.map((s) => s.id), body.segments.map((_, i) => `seg_${String(i + 1).padStart(3, '0')}`));
  });

  test('one voice is one speaker', async () => {
    const { wav } = await conversation(['spk2_snt1.wav', 'spk2_snt3.wav', 'spk2_snt6.wav']);
    const body = (await transcribe({ model: MODEL, response_format: 'diarized_json' }, wav)).json() as Diarized;
    assert.ok(body.segments.length >= 3);
    assert.deepEqual([...new Set(body.segments.map((s) => s.speaker))], ['A']);
  });

  test('a known speaker reference names that voice\'s segments; the other voice gets a letter', async () => {
    const { wav, spans } = await conversation(TWO_VOICES);
    const response = await transcribe({ model: MODEL, response_format: 'diarized_json', 'known_speaker_names[]': ['bob'], 'known_speaker_references[]': [dataUrl('spk2_snt4.wav')] }, wav);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(speakersBySpan((response.json() as Diarized).segments, spans), [['A'], ['bob'], ['A'], ['bob']]);
  });

  test('two known speakers are told apart', async () => {
    const { wav, spans } = await conversation(TWO_VOICES);
    const fields = { model: MODEL, response_format: 'diarized_json', 'known_speaker_names[]': ['agent', 'customer'], 'known_speaker_references[]': [dataUrl('spk2_snt4.wav'), dataUrl('spk1_snt5.wav')] };
    const body = (await transcribe(fields, wav)).json() as Diarized;
    assert.deepEqual(speakersBySpan(body.segments, spans), [['customer'], ['agent'], ['customer'], ['agent']]);
  });

  test('a saved voice can be a known speaker', async () => {
    const saved = await app.inject({ method: 'POST', url: '/v1/voices', payload: { name: 'carol', audio: sharedClip('spk1_snt4.wav').toString('base64'), transcript: 'A thin stripe runs down the middle.' } });
    assert.equal(saved.statusCode, 201, saved.body);
    const { wav, spans } = await conversation(TWO_VOICES);
    const body = (await transcribe({ model: MODEL, response_format: 'diarized_json', 'known_speaker_names[]': ['Carol'], 'known_speaker_references[]': ['carol'] }, wav)).json() as Diarized;
    assert.deepEqual(speakersBySpan(body.segments, spans), [['Carol'], ['A'], ['Carol'], ['A']]);
  });

  test('verbose_json, SRT and VTT carry speakers when speaker_labels=true', async () => {
    const { wav } = await conversation(TWO_VOICES.slice(0, 2));
    const verbose = (await transcribe({ model: MODEL, response_format: 'verbose_json', speaker_labels: 'true' }, wav)).json() as { segments: { speaker?: string }[] };
    assert.deepEqual(verbose.segments.map((s) => s.speaker), ['A', 'B']);
    const srt = (await transcribe({ model: MODEL, response_format: 'srt', speaker_labels: 'true' }, wav)).body;
    assert.match(srt, /\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\nA: \S/);
    assert.match(srt, /\nB: \S/);
    const vtt = (await transcribe({ model: MODEL, response_format: 'vtt', speaker_labels: 'true' }, wav)).body;
    assert.match(vtt, /\n<v A>\S/);
    assert.match(vtt, /\n<v B>\S/);
    const plain = (await transcribe({ model: MODEL, response_format: 'verbose_json' }, wav)).json() as { segments: { speaker?: string }[] };
    assert.ok(plain.segments.every((s) => s.speaker === undefined));
  });
});

describe('chunking_strategy', () => {
  test('audio over 30 s is refused without a chunking strategy, and diarized in windows with one', async () => {
    const names = [...TWO_VOICES, ...TWO_VOICES, ...TWO_VOICES.slice(0, 2)];
    const { wav, spans } = await conversation(names);
    assert.ok(spans.at(-1)![1] > 30);
    await assertApiError(await transcribe({ model: MODEL, response_format: 'diarized_json' }, wav), 400, { code: 'chunking_strategy_required', param: 'chunking_strategy' });
    const streamed = await transcribe({ model: MODEL, response_format: 'diarized_json', stream: 'true' }, wav);
    await assertApiError(streamed, 400, { code: 'chunking_strategy_required', param: 'chunking_strategy' });
    const strategies: Record<string, string>[] = [{ chunking_strategy: 'auto' }, { 'chunking_strategy[type]': 'server_vad', 'chunking_strategy[threshold]': '0.5' }, { chunking_strategy: '{"type":"server_vad"}' }];
    for (const strategy of strategies) {
      const response = await transcribe({ model: MODEL, response_format: 'diarized_json', ...strategy }, wav);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(speakersBySpan((response.json() as Diarized).segments, spans), names.map((n) => [n.startsWith('spk1') ? 'A' : 'B']));
    }
  });

  test('a malformed chunking strategy is a 400 that names it', async () => {
    const { wav } = await conversation(['spk1_snt1.wav']);
    const strategies: Record<string, string>[] = [{ chunking_strategy: 'manual' }, { 'chunking_strategy[type]': 'client_vad' }, { 'chunking_strategy[type]': 'server_vad', 'chunking_strategy[extra]': '1' }];
    for (const strategy of strategies) {
      await assertApiError(await transcribe({ model: MODEL, response_format: 'diarized_json', ...strategy }, wav), 400, { param: 'chunking_strategy' });
    }
  });
});

describe('known speakers refused', () => {
  const cases: [string, Record<string, string | string[]>, string, string][] = [
    ['names without references', { 'known_speaker_names[]': ['bob'] }, 'known_speakers_mismatch', 'known_speaker_references'],
    ['a clip under 2 s', { 'known_speaker_names[]': ['bob'], 'known_speaker_references[]': [dataUrl('spk2_snt2.wav')] }, 'invalid_reference_length', 'known_speaker_references'],
    ['a clip over 10 s', { 'known_speaker_names[]': ['jfk'], 'known_speaker_references[]': [dataUrl('jfk.wav')] }, 'invalid_reference_length', 'known_speaker_references'],
    ['a URL', { 'known_speaker_names[]': ['bob'], 'known_speaker_references[]': ['https://example.com/bob.wav'] }, 'invalid_reference', 'known_speaker_references'],
    ['a data URL that is not audio', { 'known_speaker_names[]': ['bob'], 'known_speaker_references[]': [`data:audio/wav;base64,${Buffer.from('not audio at all').toString('base64')}`] }, 'invalid_audio', 'known_speaker_references'],
    ['five speakers', { 'known_speaker_names[]': ['a', 'b', 'c', 'd', 'e'], 'known_speaker_references[]': Array(5).fill(dataUrl('spk1_snt1.wav')) }, 'invalid_value', 'known_speaker_names'],
    ['the same name twice', { 'known_speaker_names[]': ['a', 'a'], 'known_speaker_references[]': [dataUrl('spk1_snt1.wav'), dataUrl('spk1_snt2.wav')] }, 'invalid_value', 'known_speaker_names'],
  ];
  for (const [what, fields, code, param] of cases) {
    test(what, async () => {
      const { wav } = await conversation(['spk1_snt1.wav']);
      await assertApiError(await transcribe({ model: MODEL, response_format: 'diarized_json', ...fields }, wav), 400, { code, param });
    });
  }

  test('known speakers without diarized_json, and diarizing a translation', async () => {
    const { wav } = await conversation(['spk1_snt1.wav']);
    await assertApiError(await transcribe({ model: MODEL, 'known_speaker_names[]': ['bob'], 'known_speaker_references[]': [dataUrl('spk2_snt4.wav')] }, wav), 400, { code: 'invalid_value', param: 'known_speaker_names' });
    const translation = await app.inject({ method: 'POST', url: '/v1/audio/translations', payload: form({ model: FIXTURE_MODELS.whisper, response_format: 'diarized_json' }, { bytes: wav }) as unknown as string });
    await assertApiError(translation, 400, { code: 'invalid_value', param: 'response_format' });
  });

  test('without speaker models installed, diarized_json says what to install', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vocable-no-speakers-'));
    const fixtures = await fixtureModelsDir();
    await symlink(join(fixtures, MODEL), join(dir, MODEL));
    const bare = await testApp(dir);
    try {
      const { wav } = await conversation(['spk1_snt1.wav']);
      const response = await bare.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form({ model: MODEL, response_format: 'diarized_json' }, { bytes: wav }) as unknown as string });
      await assertApiError(response, 400, { code: 'diarization_unavailable', param: 'response_format', message: /vocable pull pyannote-segmentation-3-0/ });
    } finally {
      await bare.app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("OpenAI's published schemas", () => {
  test('the diarized_json body is a CreateTranscriptionResponseDiarizedJson', async () => {
    const { wav } = await conversation(TWO_VOICES);
    const body = (await transcribe({ model: MODEL, response_format: 'diarized_json' }, wav)).json() as Diarized;
    assertSchema('CreateTranscriptionResponseDiarizedJson', body);
    assert.ok(body.segments.length > 0);
    // The schema must catch a broken body, or this test proves nothing.
    assert.throws(() => assertSchema('CreateTranscriptionResponseDiarizedJson', { ...body, segments: [{ ...body.segments[0], type: 'segment' }] }));
    assert.throws(() => assertSchema('CreateTranscriptionResponseDiarizedJson', { ...body, task: 'translate' }));
  });

  test('the stream is transcript.text.delta and transcript.text.segment events, then transcript.text.done', async () => {
    const { wav, spans } = await conversation(TWO_VOICES);
    const response = await transcribe({ model: MODEL, response_format: 'diarized_json', stream: 'true' }, wav);
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    const events: { type: string; [key: string]: unknown }[] = [];
    const parser = createParser({ onEvent: (e) => events.push(JSON.parse(e.data)) });
    parser.feed(response.body);
    for (const event of events) assertSchema('CreateTranscriptionResponseStreamEvent', event);
    const segments = events.filter((e) => e.type === 'transcript.text.segment');
    for (const segment of segments) assertSchema('TranscriptTextSegmentEvent', segment);
    const { speaker: _, ...unnamed } = segments[0]!;
    assert.throws(() => assertSchema('TranscriptTextSegmentEvent', unnamed));
    assert.deepEqual(speakersBySpan(segments as unknown as Diarized['segments'], spans), [['A'], ['B'], ['A'], ['B']]);
    const deltas = events.filter((e) => e.type === 'transcript.text.delta');
    assert.deepEqual(deltas.map((d) => d.segment_id), segments.map((s) => s.id));
    const done = events.at(-1)!;
    assert.equal(done.type, 'transcript.text.done');
    assert.equal(done.text, segments.map((s) => s.text).join(' '));
  });
});

describe('the official openai client', () => {
  test('transcriptions.create with diarized_json, known speakers and a chunking strategy; and the stream of segment events', async () => {
    const served = await testApp(await fixtureModelsDir());
    try {
      await served.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = served.app.server.address() as AddressInfo;
      const client = new OpenAI({ apiKey: 'unused', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
      const { wav, spans } = await conversation(TWO_VOICES);
      const params = {
        model: MODEL,
        file: await toFile(wav, 'talk.wav'),
        response_format: 'diarized_json' as const,
        chunking_strategy: 'auto' as const,
        known_speaker_names: ['bob'],
        known_speaker_references: [dataUrl('spk2_snt4.wav')],
      };
      const body = (await client.audio.transcriptions.create(params)) as unknown as Diarized;
      assert.deepEqual(speakersBySpan(body.segments, spans), [['A'], ['bob'], ['A'], ['bob']]);

      const stream = await client.audio.transcriptions.create({ ...params, file: await toFile(wav, 'talk.wav'), stream: true });
      const segments: Diarized['segments'] = [];
      for await (const event of stream) if (event.type === 'transcript.text.segment') segments.push(event);
      assert.deepEqual(speakersBySpan(segments, spans), [['A'], ['bob'], ['A'], ['bob']]);
    } finally {
      await served.app.close();
    }
  });
});

describe('long files', () => {
  test('windows diarized one at a time keep each voice\'s letter across windows', async () => {
    const pool = new ModelPool(await discoverModels(await fixtureModelsDir()), { numThreads: 1, maxQueue: 4, memoryBudgetBytes: 2 ** 32, idleUnloadSeconds: 0, logger: app.log });
    const model = pool.getStt(MODEL);
    const job = { model, options: { task: 'transcribe' as const }, segmentationModel: FIXTURE_MODELS.segmentation, embeddingModel: FIXTURE_MODELS.embedding, known: [], chunked: true, windowSeconds: 12, maxAudioSeconds: 3600 };
    const labelled = async (names: string[]) => {
      const { wav, spans } = await conversation(names);
      const segments = [];
      for await (const segment of diarizedTranscribe(wav, job, pool, new AudioMeter())) segments.push({ ...segment, type: 'transcript.text.segment', id: String(segment.id) });
      return speakersBySpan(segments, spans);
    };
    const expected = (names: string[]) => names.map((n) => [n.startsWith('spk1') ? 'A' : 'B']);
    try {
      // Windows of 12 s cut some turns in two; each piece still carries its voice's letter.
      const alternating = [...TWO_VOICES, ...TWO_VOICES, ...TWO_VOICES];
      assert.deepEqual(await labelled(alternating), expected(alternating));
      // A voice first heard in a later window is new, not the closest voice heard so far.
      const late = ['spk1_snt1.wav', 'spk1_snt2.wav', 'spk2_snt1.wav', 'spk2_snt3.wav', 'spk2_snt4.wav', 'spk2_snt5.wav'];
      assert.deepEqual(await labelled(late), expected(late));
    } finally {
      pool.close();
    }
  });
});
