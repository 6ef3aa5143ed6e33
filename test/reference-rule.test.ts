/**
 * One rule for reference clips (issue 16): each cloning model states it in GET /v1/models, a clip
 * longer than the model uses is cut to its best stretch of speech (Silero VAD) and the response
 * says so, and what cannot be trimmed (a clip whose transcript must match) is refused with the rule.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SILERO_VAD_MODEL } from '../fixtures/index.js';
import { decodeAudio } from '../src/audio/decode.js';
import { durationSeconds, type MonoAudio } from '../src/audio/pcm.js';
import { encodeWav } from '../src/audio/wav.js';
import type { App } from '../src/server/app.js';
import { fitReference } from '../src/reference/reference-clip.js';
import { testApp } from './helpers/app.js';
import { assertApiError } from './helpers/assertions.js';
import { base64, sharedClip } from './helpers/audio.js';

const RATE = 16000;
const POCKET_LIKE = { sampleRate: 24000, maxSeconds: 10, overLength: 'truncate' as const };

/** Real speech clips and silences (given in seconds), one after another, at 16 kHz. */
async function joined(parts: (string | number)[]): Promise<MonoAudio> {
  const pieces: Float32Array[] = [];
  for (const part of parts) pieces.push(typeof part === 'number' ? new Float32Array(Math.round(part * RATE)) : (await decodeAudio(sharedClip(part))).samples);
  const samples = new Float32Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    samples.set(piece, at);
    at += piece.length;
  }
  return { samples, sampleRate: RATE };
}

/** The share of 50 ms frames that are silent: what a model would be given instead of a voice. */
function silentShare({ samples, sampleRate }: MonoAudio): number {
  const frame = Math.round(sampleRate * 0.05);
  let silent = 0;
  let frames = 0;
  for (let at = 0; at + frame <= samples.length; at += frame) {
    let energy = 0;
    for (let i = at; i < at + frame; i += 1) energy += samples[i]! ** 2;
    if (Math.sqrt(energy / frame) < 0.003) silent += 1;
    frames += 1;
  }
  return silent / frames;
}

describe('a clip longer than the model uses', () => {
  // One sentence, a long silence, then a run of sentences: the first 10 s are mostly silence.
  const parts = ['spk1_snt1.wav', 7, 'spk1_snt2.wav', 0.3, 'spk1_snt3.wav', 0.3, 'spk1_snt4.wav', 0.3, 'spk1_snt5.wav', 0.3, 'spk1_snt6.wav'];

  test('is cut to its best stretch of speech when Silero VAD is installed', async () => {
    const clip = await joined(parts);
    const { audio, trimmed } = await fitReference(clip, POCKET_LIKE, "model 'm'", { vadModel: SILERO_VAD_MODEL });
    assert.ok(durationSeconds(audio) <= 10 && durationSeconds(audio) > 8, `${durationSeconds(audio)} s kept`);
    assert.ok(silentShare(audio) < 0.35, `${Math.round(silentShare(audio) * 100)}% of the kept clip is silence`);
    assert.deepEqual(trimmed, { fromSeconds: durationSeconds(clip), toSeconds: durationSeconds(audio) });
  });

  test('its best stretch is found off the event loop: Silero runs in the audio worker pool', async () => {
    const { Vad } = createRequire(import.meta.url)('sherpa-onnx-node/vad.js') as { Vad: { prototype: { acceptWaveform: (...args: unknown[]) => unknown } } };
    const original = Vad.prototype.acceptWaveform;
    let callsHere = 0;
    Vad.prototype.acceptWaveform = function (this: unknown, ...args: unknown[]) {
      callsHere += 1;
      return original.apply(this, args);
    };
    try {
      const { audio, trimmed } = await fitReference(await joined(parts), POCKET_LIKE, "model 'm'", { vadModel: SILERO_VAD_MODEL });
      assert.ok(trimmed && silentShare(audio) < 0.35, 'the stretch is still the speech');
      assert.equal(callsHere, 0, 'Silero windows run on the event loop');
    } finally {
      Vad.prototype.acceptWaveform = original;
    }
  });

  test('keeps its first seconds without a VAD (and says it trimmed)', async () => {
    const clip = await joined(parts);
    const { audio, trimmed } = await fitReference(clip, POCKET_LIKE, "model 'm'");
    assert.equal(durationSeconds(audio), 10);
    assert.ok(silentShare(audio) > 0.5, 'the start holds the long silence');
    assert.equal(trimmed?.toSeconds, 10);
  });

  test('a clip within the rule is left whole and not reported as trimmed', async () => {
    const { trimmed } = await fitReference(await joined(['spk1_snt2.wav']), POCKET_LIKE, "model 'm'", { vadModel: SILERO_VAD_MODEL });
    assert.equal(trimmed, undefined);
  });
});

describe('the rule over HTTP (fixture models)', () => {
  let harness: App;
  before(async () => {
    harness = await testApp(await fixtureModelsDir());
  });
  after(() => harness.app.close());

  const speech = (body: Record<string, unknown>) => harness.app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { response_format: 'wav', stream: false, ...body } });
  const saveJson = (body: Record<string, unknown>) => harness.app.inject({ method: 'POST', url: '/v1/voices', payload: body });
  const longClip = async (seconds: number) => base64(encodeWav(await joined(Array.from({ length: Math.ceil(seconds / 11) }, () => 'jfk.wav'))));

  test('GET /v1/models states each cloning model\'s rule, and none for preset-only models', async () => {
    const models = (await harness.app.inject({ method: 'GET', url: '/v1/models' })).json() as { data: { id: string; capabilities: { reference_seconds?: unknown } }[] };
    const rule = (id: string) => models.data.find((m) => m.id === id)?.capabilities.reference_seconds;
    assert.deepEqual(rule('pocket'), { min: 1, max: 120, used: 10 });
    assert.deepEqual(rule('zipvoice'), { min: 1, max: 20, used: 20 });
    assert.equal(rule('kokoro'), undefined);
  });

  test('Pocket trims a 33 s clip to 10 s and says so in X-Reference-Trimmed; a short clip is not reported', async () => {
    const long = await speech({ model: 'pocket', input: 'Hello there.', ref_audio: await longClip(33) });
    assert.equal(long.statusCode, 200, long.body);
    const header = String(long.headers['x-reference-trimmed']);
    const match = /^(\d+\.\d)s->(\d+\.\d)s$/.exec(header);
    assert.ok(match, `X-Reference-Trimmed: ${header}`);
    assert.equal(match[1], '33.0');
    assert.ok(Number(match[2]) <= 10 && Number(match[2]) > 5, header);
    const short = await speech({ model: 'pocket', input: 'Hello there.', ref_audio: base64(sharedClip('spk1_snt1.wav')) });
    assert.equal(short.statusCode, 200);
    assert.equal(short.headers['x-reference-trimmed'], undefined);
  });

  test('ZipVoice refuses a 22 s clip, stating its rule (its transcript must match)', async () => {
    const response = await speech({ model: 'zipvoice', input: 'Hi', ref_audio: await longClip(22), ref_text: 'And so my fellow Americans, ask not what your country can do for you. '.repeat(3) });
    const error = assertApiError(response, 400, { param: 'ref_audio', code: 'audio_too_long' });
    assert.match(error.message, /model 'zipvoice' takes reference clips of 1-20 s/);
    assert.match(error.message, /transcript must match/);
  });

  test('a saved voice keeps the best 30 s of a longer clip sent without a transcript; with one, it is refused stating the rule', async () => {
    const saved = await saveJson({ name: 'long-clip', audio: await longClip(40) });
    assert.equal(saved.statusCode, 201, saved.body);
    const seconds = (saved.json() as { duration_seconds: number }).duration_seconds;
    assert.ok(seconds <= 30 && seconds > 20, `${seconds} s saved`);
    const refused = await saveJson({ name: 'long-words', audio: await longClip(40), transcript: 'And so my fellow Americans.' });
    assert.match(assertApiError(refused, 400, { param: 'file', code: 'audio_too_long' }).message, /a saved voice takes reference clips of 1-30 s/);
  });

  test('saving over an existing name says how to delete it, from the CLI or the API', async () => {
    await saveJson({ name: 'twice', audio: base64(sharedClip('spk1_snt1.wav')) });
    const again = await saveJson({ name: 'twice', audio: base64(sharedClip('spk1_snt1.wav')) });
    assert.match(assertApiError(again, 409, { code: 'voice_exists' }).message, /delete it first \(vocable voices rm twice, or DELETE \/v1\/voices\/twice\)/);
  });
});
