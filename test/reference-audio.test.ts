/** Reference clips: base64 parsing, every container, trimming and length rules (no model needed). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeAudio } from '../src/audio/decode.js';
import { durationSeconds } from '../src/audio/pcm.js';
import { trimSilence } from '../src/audio/trim-silence.js';
import { encodeWav } from '../src/audio/wav.js';
import { VocableError } from '../src/errors.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { decodeReferenceBase64, decodeReferenceBase64OffThread, prepareReferenceAudio } from '../src/reference/reference-clip.js';
import { intWav, sharedClip, stereo24BitWav, tone } from './helpers/audio.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), 'data');
const POLICY = { sampleRate: 24000, maxSeconds: 10, overLength: 'truncate' as const };

const rejectsWith = (status: number, code: string) => (error: unknown) =>
  error instanceof VocableError && error.status === status && error.code === code;

describe('every common container decodes in process', () => {
  const files: [string, number][] = [
    ['spk1_snt1.m4a', 2.87],
    ['spk1_snt1.webm', 2.87],
    ['spk1_snt1.opus', 2.87],
    ['spk1_snt1.ogg', 2.87],
    ['spk1_snt1.flac', 2.87],
    ['spk1_snt1-float32.wav', 1.6],
    ['spk1_snt1-3ch-extensible.wav', 1.6],
  ];
  for (const [name, seconds] of files) {
    test(name, async () => {
      const audio = await decodeAudio(readFileSync(join(DATA, name)));
      assert.ok(Math.abs(durationSeconds(audio) - seconds) < 0.08, `${durationSeconds(audio)} s`);
      assert.ok(audio.samples.some((s) => Math.abs(s) > 0.01), 'holds sound');
    });
  }
  test('mp3 and 16-bit wav from test/data/speech', async () => {
    assert.ok(Math.abs(durationSeconds(await decodeAudio(sharedClip('jfk.mp3'))) - 11) < 0.2);
    assert.equal((await decodeAudio(sharedClip('spk1_snt1.wav'))).sampleRate, 16000);
  });
  test('24-bit stereo wav is mixed down to mono', async () => {
    const mono = await decodeAudio(sharedClip('spk2_snt2.wav'));
    const stereo = await decodeAudio(await stereo24BitWav('spk2_snt2.wav'));
    assert.equal(stereo.samples.length, mono.samples.length);
    const i = mono.samples.findIndex((s) => Math.abs(s) > 0.1);
    assert.ok(Math.abs(stereo.samples[i]! - mono.samples[i]! * 0.75) < 0.001, 'average of full and half level');
  });
  test('32-bit integer wav', async () => {
    const audio = await decodeAudio(intWav([tone(1.5, 8000).samples], 8000, 32));
    assert.ok(Math.abs(durationSeconds(audio) - 1.5) < 0.01);
  });
});

describe('ref_audio base64', () => {
  const wav = encodeWav(tone(2, 16000));
  test('plain, data URI, line-wrapped and unpadded base64 all give the same bytes', () => {
    const b64 = wav.toString('base64');
    assert.deepEqual(decodeReferenceBase64(b64, 1e6), wav);
    assert.deepEqual(decodeReferenceBase64(`data:audio/wav;base64,${b64}`, 1e6), wav);
    assert.deepEqual(decodeReferenceBase64(b64.replace(/(.{76})/g, '$1\n'), 1e6), wav);
    assert.deepEqual(decodeReferenceBase64(wav.toString('base64url'), 1e6), wav);
  });
  test('invalid base64 and URLs are refused with 400', () => {
    for (const bad of ['@@@@', 'a', 'ab=c', 'http://host/a.wav', 'file:///etc/passwd', 'data:audio/wav,AAAA']) {
      assert.throws(() => decodeReferenceBase64(bad, 1e6), rejectsWith(400, 'invalid_base64'), bad);
    }
  });
  test('the size limit is checked before decoding → 413', () => {
    assert.throws(() => decodeReferenceBase64(wav.toString('base64'), wav.length - 1), rejectsWith(413, 'payload_too_large'));
    assert.equal(decodeReferenceBase64(wav.toString('base64'), wav.length).length, wav.length);
  });
});

describe('a long ref_audio is checked and decoded in the audio worker pool', { timeout: 60_000 }, () => {
  const wav = encodeWav(tone(20, 24000));
  const b64 = wav.toString('base64');
  test('the same bytes as on this thread, for plain, data URI, line-wrapped and base64url values', async () => {
    assert.ok(b64.length > 1_000_000);
    for (const value of [b64, `data:audio/wav;base64,${b64}`, b64.replace(/(.{76})/g, '$1\n'), wav.toString('base64url')]) {
      assert.deepEqual(await decodeReferenceBase64OffThread(value, 2e6), wav);
    }
  });
  test('the event loop turns while it is decoded: the next turn comes before the bytes do', async () => {
    let decoded = false;
    const bytes = decodeReferenceBase64OffThread(b64, 2e6, 'audio').then(() => (decoded = true));
    await nextTurn();
    assert.equal(decoded, false, 'a 1.3 MB value was checked and decoded on the event loop');
    await bytes;
  });
  test('refused as on this thread: invalid → 400 invalid_base64, too large → 413, naming the field', async () => {
    await assert.rejects(decodeReferenceBase64OffThread(`${b64.slice(0, 400_000)}@@@@`, 2e6, 'audio'), (error) => rejectsWith(400, 'invalid_base64')(error) && (error as VocableError).param === 'audio');
    await assert.rejects(decodeReferenceBase64OffThread(`http://host/${'a'.repeat(300_000)}.wav`, 2e6), rejectsWith(400, 'invalid_base64'));
    await assert.rejects(decodeReferenceBase64OffThread(b64, wav.length - 1, 'audio'), (error) => rejectsWith(413, 'payload_too_large')(error) && (error as VocableError).param === 'audio');
  });
  test('a short value is decoded at once, as before', async () => {
    const short = encodeWav(tone(1, 8000));
    assert.deepEqual(await decodeReferenceBase64OffThread(short.toString('base64'), 1e6), short);
    await assert.rejects(decodeReferenceBase64OffThread('@@@@', 1e6), rejectsWith(400, 'invalid_base64'));
  });
});

describe('preparing a clip for a family', () => {
  test('resampled to the family rate with leading and trailing silence trimmed', async () => {
    const rate = 16000;
    const padded = new Float32Array(rate * 5);
    padded.set(tone(2, rate).samples, rate * 2);
    const { audio: clip } = await prepareReferenceAudio(encodeWav({ samples: padded, sampleRate: rate }), POLICY, 'm');
    assert.equal(clip.sampleRate, 24000);
    assert.ok(Math.abs(durationSeconds(clip) - 2.1) < 0.06, `${durationSeconds(clip)} s kept`);
  });
  test('a long clip is cut to the family maximum, or refused when a transcript must match', async () => {
    const long = encodeWav(tone(14, 8000));
    assert.equal(durationSeconds((await prepareReferenceAudio(long, POLICY, 'm')).audio), 10);
    await assert.rejects(prepareReferenceAudio(long, { ...POLICY, overLength: 'reject' }, 'm'), rejectsWith(400, 'audio_too_long'));
  });
  test('a clip silent throughout trims to nothing', () => {
    assert.equal(trimSilence({ samples: new Float32Array(8000), sampleRate: 8000 }).samples.length, 0);
  });
});
