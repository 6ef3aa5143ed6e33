/**
 * Streaming encoders in the audio worker pool (issue 14): the codec runs there, so a chunk's
 * encoding never holds the event loop; the bytes are the ones the in-process encoder makes;
 * abort and errors leave no task behind and never throw.
 */
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { createStreamEncoder, createStreamEncoderOffThread, type StreamEncoder } from '../src/audio/encode/index.js';
import type { MonoAudio } from '../src/audio/pcm.js';
import { decodeAudio } from '../src/audio/decode.js';
import { tone } from './helpers/audio.js';

async function encodeAll(encoder: StreamEncoder, audio: MonoAudio, chunkSeconds: number): Promise<Buffer[]> {
  const chunk = Math.round(audio.sampleRate * chunkSeconds);
  const parts: Buffer[] = [];
  for (let at = 0; at < audio.samples.length; at += chunk) parts.push(await encoder.write(audio.samples.subarray(at, at + chunk)));
  parts.push(await encoder.end());
  return parts;
}

describe('off the event loop, the same bytes', { timeout: 60_000 }, () => {
  for (const format of ['mp3', 'flac'] as const) {
    test(`${format}: chunk for chunk the bytes the in-process encoder makes`, async () => {
      const audio = tone(2, 24000, 440);
      const here = await encodeAll(createStreamEncoder(format, 24000), audio, 0.25);
      const there = await encodeAll(createStreamEncoderOffThread(format, 24000), audio, 0.25);
      assert.deepEqual(there, here);
      assert.ok(Buffer.concat(there).length > 1000);
    });
  }

  test('opus: a stream that decodes back to the audio length, with bytes before the end', async () => {
    const parts = await encodeAll(createStreamEncoderOffThread('opus', 48000), tone(2, 48000, 440), 0.25);
    assert.ok(Buffer.concat(parts.slice(0, -1)).length > parts.at(-1)!.length, 'most bytes come out before end()');
    const decoded = await decodeAudio(Buffer.concat(parts));
    assert.ok(Math.abs(decoded.samples.length / decoded.sampleRate - 2) < 0.1, `decoded ${decoded.samples.length / decoded.sampleRate} s`);
  });

  test('the samples written stay usable by the caller (they are copied, not moved)', async () => {
    const audio = tone(0.5, 24000, 440);
    const encoder = createStreamEncoderOffThread('mp3', 24000);
    await encoder.write(audio.samples);
    assert.equal(audio.samples.length, 12000);
    assert.equal(audio.samples[100], tone(0.5, 24000, 440).samples[100]);
    await encoder.end();
  });

  test('the event loop turns while a chunk is encoded: the next turn comes before the bytes do', async () => {
    for (const format of ['mp3', 'opus', 'flac'] as const) {
      const encoder = createStreamEncoderOffThread(format, 48000);
      await encoder.write(tone(0.1, 48000).samples);
      let bytesCame = false;
      const written = encoder.write(tone(20, 48000, 440).samples).then(() => (bytesCame = true));
      await nextTurn();
      assert.equal(bytesCame, false, `${format}: 20 s were encoded on the event loop`);
      await written;
      await encoder.end();
    }
  });

  test('wav, pcm and aac stay as they were (no codec work to move, or a process of its own)', async () => {
    const header = await createStreamEncoderOffThread('wav', 24000).end();
    assert.equal(header.toString('ascii', 0, 4), 'RIFF');
    const pcm = await createStreamEncoderOffThread('pcm', 16000).write(new Float32Array([0.5, -0.5]));
    assert.equal(pcm.length, 4);
  });
});

describe('unhappy paths', { timeout: 60_000 }, () => {
  test('a bad sample rate is refused at once, before any worker is asked', () => {
    assert.throws(() => createStreamEncoderOffThread('mp3', 0), RangeError);
    assert.throws(() => createStreamEncoderOffThread('flac', 22050.5), RangeError);
  });

  test('abort never throws (new, mid-way, twice, after end) and nothing is encoded after it', async () => {
    for (const format of ['mp3', 'opus', 'flac'] as const) {
      const fresh = createStreamEncoderOffThread(format, 16000);
      fresh.abort();
      fresh.abort();
      const midway = createStreamEncoderOffThread(format, 16000);
      await midway.write(tone(0.3, 16000).samples);
      midway.abort();
      midway.abort();
      await assert.rejects(midway.write(tone(0.1, 16000).samples), /ended/);
      const ended = createStreamEncoderOffThread(format, 16000);
      await ended.write(tone(0.3, 16000).samples);
      await ended.end();
      ended.abort();
      await assert.rejects(ended.end(), /ended/);
    }
  });

  test('many aborted streams leave the pool free: a new stream still encodes', async () => {
    for (let i = 0; i < 40; i += 1) {
      const encoder = createStreamEncoderOffThread('mp3', 24000);
      await encoder.write(tone(0.1, 24000).samples);
      encoder.abort();
    }
    const parts = await encodeAll(createStreamEncoderOffThread('mp3', 24000), tone(1, 24000, 440), 0.5);
    assert.ok(Buffer.concat(parts).length > 500);
  });
});
