/** Silero VAD (real weights from fixtures/data/silero-vad) on real recorded speech, fed as a stream. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SILERO_VAD_MODEL } from '../fixtures/index.js';
import { decodeAudio } from '../src/audio/decode.js';
import { decodeAudioStream } from '../src/audio/decode-stream.js';
import { AudioDecodeError } from '../src/audio/decode.js';
import { fixedSegments, vadSegments } from '../src/audio/speech-segments.js';
import { clipsWithSilence, sharedClip } from './helpers/audio.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), 'data');

async function* pieces(samples: Float32Array, size: number) {
  for (let at = 0; at < samples.length; at += size) yield samples.slice(at, at + size);
}

test('three clips with silence between them give three segments at the clips\' start times', async () => {
  const { samples: all, spans } = await clipsWithSilence(['spk1_snt1.wav', 'spk2_snt2.wav', 'spk1_snt3.wav']);
  // Pieces of an odd size: the segmenter must re-cut them into the detector's windows.
  const segments = [];
  for await (const s of vadSegments(pieces(all, 7777), SILERO_VAD_MODEL, 25)) segments.push({ start: s.start, end: s.start + s.samples.length / 16000 });
  assert.equal(segments.length, 3, JSON.stringify(segments));
  segments.forEach((s, i) => {
    const [start, end] = spans[i]!;
    assert.ok(Math.abs(s.start - start) < 0.15, `segment ${i} starts at ${s.start}, its clip at ${start}`);
    assert.ok(s.end > start && s.start < end && Math.abs(s.end - end) < 0.3, `segment ${i} ends at ${s.end}, its clip at ${end}`);
  });
});

test('segment boundaries fall inside the speech of a real recording', async () => {
  const jfk = await decodeAudio(sharedClip('jfk.wav'));
  const segments = [];
  for await (const s of vadSegments(pieces(jfk.samples, 16000), SILERO_VAD_MODEL, 25)) segments.push(s);
  assert.ok(segments.length >= 2);
  for (const s of segments) assert.ok(s.start >= 0 && s.start + s.samples.length / 16000 <= 11.01);
  assert.ok(segments[0]!.start < 0.6, 'the first words are at the start');
});

test('no segment is longer than the maximum', async () => {
  const jfk = await decodeAudio(sharedClip('jfk.wav'));
  for await (const s of vadSegments(pieces(jfk.samples, 16000), SILERO_VAD_MODEL, 2)) assert.ok(s.samples.length / 16000 <= 2.6);
});

test('fixed windows without a VAD keep every sample and the timeline', async () => {
  const samples = new Float32Array(16000 * 65).map((_, i) => i % 100);
  const segments = [];
  for await (const s of fixedSegments(pieces(samples, 12345), 30)) segments.push(s);
  assert.deepEqual(segments.map((s) => [s.start, s.samples.length]), [[0, 480000], [30, 480000], [60, 80000]]);
});

test('decoding in pieces gives the same samples as decoding whole; bad bytes are refused', async () => {
  for (const name of ['spk1_snt1.flac', 'spk1_snt1.ogg']) {
    const bytes = readFileSync(join(DATA, name));
    const whole = await decodeAudio(bytes);
    let length = 0;
    for await (const piece of decodeAudioStream(bytes)) length += piece.samples.length;
    assert.equal(length, whole.samples.length, name);
  }
  await assert.rejects(async () => {
    for await (const _ of decodeAudioStream(Buffer.from('not audio'))) void _;
  }, AudioDecodeError);
});
