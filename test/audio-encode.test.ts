/**
 * Output encoders: every format decodes back, with two independent decoders (audio-decode's WASM
 * decoders in process, and ffmpeg), to the tone that went in, at the expected rate and length;
 * streams give bytes early; abort leaves nothing running; a missing ffmpeg is named.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { decodeAudio } from '../src/audio/decode.js';
import {
  contentType,
  createStreamEncoder,
  encodeAudio,
  encoderAvailable,
  OUTPUT_FORMATS,
  type OutputFormat,
  type StreamEncoder,
} from '../src/audio/encode/index.js';
import type { MonoAudio } from '../src/audio/pcm.js';
import { encodePcm16 } from '../src/audio/wav.js';
import { tone } from './helpers/audio.js';

const HZ = 440;
const LEVEL = 0.5;
const RATES = [24000, 16000, 44100];

type DecodedFormat = Exclude<OutputFormat, 'pcm'>;

interface Expected {
  /** What ffprobe reports as the codec. */
  codec: string;
  /** The rate the file says (ffprobe); ffmpeg decodes at it. */
  fileRate: (rate: number) => number;
  /** Rates audio-decode may give. */
  decodedRates: (rate: number) => number[];
  /** How much longer than the input the decoded audio may be (codec priming and frame padding). */
  maxExtraSeconds: number;
}

const EXPECTED: Record<DecodedFormat, Expected> = {
  // LAME's delay (~1100 samples) and padding to a whole frame; no gapless header in a stream.
  mp3: { codec: 'mp3', fileRate: (r) => r, decodedRates: (r) => [r], maxExtraSeconds: 0.15 },
  // Ogg Opus always decodes at 48 kHz; pre-skip and the end granule trim it to the exact length.
  opus: { codec: 'opus', fileRate: () => 48000, decodedRates: () => [48000], maxExtraSeconds: 0.005 },
  // A priming frame and padding to whole 1024-sample frames; ADTS has no gapless info. audio-decode's
  // AAC decoder plays AAC-LC at 24 kHz and below at twice the rate, as if it might carry SBR.
  aac: { codec: 'aac', fileRate: (r) => r, decodedRates: (r) => [r, 2 * r], maxExtraSeconds: 0.15 },
  flac: { codec: 'flac', fileRate: (r) => r, decodedRates: (r) => [r], maxExtraSeconds: 0 },
  wav: { codec: 'pcm_s16le', fileRate: (r) => r, decodedRates: (r) => [r], maxExtraSeconds: 0 },
};

const DECODED_FORMATS = Object.keys(EXPECTED) as DecodedFormat[];

function ffprobe(bytes: Buffer): { codec: string; sampleRate: number } {
  const probe = spawnSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate', '-of', 'json', '-i', 'pipe:0'],
    { input: bytes, encoding: 'buffer' },
  );
  assert.equal(probe.status, 0, `ffprobe: ${probe.stderr}`);
  const stream = (JSON.parse(probe.stdout.toString()) as { streams: { codec_name: string; sample_rate: string }[] }).streams[0]!;
  return { codec: stream.codec_name, sampleRate: Number(stream.sample_rate) };
}

/** Decodes with the ffmpeg command line, at the file's own rate. */
function ffmpegDecode(bytes: Buffer): MonoAudio {
  const { sampleRate } = ffprobe(bytes);
  const decoded = spawnSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'f32le', '-ac', '1', 'pipe:1'], {
    input: bytes,
    maxBuffer: 1 << 28,
  });
  assert.equal(decoded.status, 0, `ffmpeg: ${decoded.stderr}`);
  const raw = Uint8Array.from(decoded.stdout);
  return { samples: new Float32Array(raw.buffer, 0, raw.length / 4), sampleRate };
}

/**
 * Asserts that the audio is the test tone: the 440 Hz component (projected over the middle of
 * the clip, away from codec onsets) has the level that went in, and holds nearly all the energy.
 */
function assertIsTone(audio: MonoAudio, label: string): void {
  const margin = Math.round(audio.sampleRate * 0.25);
  const middle = audio.samples.subarray(margin, audio.samples.length - margin);
  let re = 0;
  let im = 0;
  let energy = 0;
  for (let i = 0; i < middle.length; i += 1) {
    const phase = (2 * Math.PI * HZ * (margin + i)) / audio.sampleRate;
    re += middle[i]! * Math.cos(phase);
    im += middle[i]! * Math.sin(phase);
    energy += middle[i]! ** 2;
  }
  const amplitude = (2 * Math.hypot(re, im)) / middle.length;
  const purity = (amplitude ** 2 / 2) / (energy / middle.length);
  assert.ok(Math.abs(amplitude - LEVEL) < 0.05, `${label}: 440 Hz amplitude ${amplitude.toFixed(3)}, expected ${LEVEL}`);
  assert.ok(purity > 0.95, `${label}: the 440 Hz tone holds only ${(purity * 100).toFixed(1)}% of the energy`);
}

function assertLength(audio: MonoAudio, inputSeconds: number, maxExtraSeconds: number, label: string): void {
  const seconds = audio.samples.length / audio.sampleRate;
  const extra = seconds - inputSeconds;
  assert.ok(extra >= -1 / audio.sampleRate && extra <= maxExtraSeconds + 1 / audio.sampleRate,
    `${label}: ${seconds.toFixed(4)} s decoded from ${inputSeconds} s (may add up to ${maxExtraSeconds} s)`);
}

/** Decodes with both decoders and checks rate, length and content. */
async function assertDecodesToTone(bytes: Buffer, format: DecodedFormat, rate: number, seconds: number): Promise<void> {
  const expected = EXPECTED[format];
  const probed = ffprobe(bytes);
  assert.equal(probed.codec, expected.codec);
  assert.equal(probed.sampleRate, expected.fileRate(rate), `${format} file rate`);

  const inProcess = await decodeAudio(bytes);
  assert.ok(expected.decodedRates(rate).includes(inProcess.sampleRate), `audio-decode gave ${inProcess.sampleRate} Hz`);
  assertLength(inProcess, seconds, expected.maxExtraSeconds, `${format} via audio-decode`);
  assertIsTone(inProcess, `${format} via audio-decode`);

  const viaFfmpeg = ffmpegDecode(bytes);
  assertLength(viaFfmpeg, seconds, expected.maxExtraSeconds, `${format} via ffmpeg`);
  assertIsTone(viaFfmpeg, `${format} via ffmpeg`);
}

/** Writes the audio in chunks; returns each write's output and end()'s. */
async function stream(encoder: StreamEncoder, audio: MonoAudio, chunkSeconds: number): Promise<{ writes: Buffer[]; last: Buffer }> {
  const chunk = Math.round(audio.sampleRate * chunkSeconds);
  const writes: Buffer[] = [];
  for (let at = 0; at < audio.samples.length; at += chunk) writes.push(await encoder.write(audio.samples.subarray(at, at + chunk)));
  return { writes, last: await encoder.end() };
}

/** ffmpeg processes whose parent is this test process. */
function ffmpegChildren(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [, command, parent] = /^\d+ \((.*)\) \S+ (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8')) ?? [];
      if (command === 'ffmpeg' && Number(parent) === process.pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

async function noFfmpegChildrenWithin(ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) {
    if (ffmpegChildren().length === 0) return true;
  }
  return ffmpegChildren().length === 0;
}

test('formats and their content types', () => {
  assert.deepEqual([...OUTPUT_FORMATS].sort(), ['aac', 'flac', 'mp3', 'opus', 'pcm', 'wav']);
  assert.deepEqual(OUTPUT_FORMATS.map(contentType), ['audio/mpeg', 'audio/ogg', 'audio/aac', 'audio/flac', 'audio/wav', 'audio/pcm']);
  for (const format of OUTPUT_FORMATS) assert.equal(encoderAvailable(format), true, `${format} (ffmpeg is installed here)`);
});

describe('whole files decode back to the tone, at the expected rate and length', () => {
  const seconds = 1.5;
  for (const rate of RATES) {
    for (const format of DECODED_FORMATS) {
      test(`${format} at ${rate} Hz`, async () => {
        const bytes = await encodeAudio(tone(seconds, rate, HZ, LEVEL), format);
        await assertDecodesToTone(bytes, format, rate, seconds);
      });
    }
    test(`pcm at ${rate} Hz is headerless 16-bit little-endian`, async () => {
      const audio = tone(seconds, rate, HZ, LEVEL);
      const bytes = await encodeAudio(audio, 'pcm');
      assert.equal(bytes.length, audio.samples.length * 2);
      const samples = Float32Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readInt16LE(2 * i) / 0x8000);
      assertIsTone({ samples, sampleRate: rate }, 'pcm');
    });
  }

  test('the whole-file WAV has exact sizes and FLAC its sample count', async () => {
    const audio = tone(1, 24000, HZ, LEVEL);
    const wav = await encodeAudio(audio, 'wav');
    assert.equal(wav.readUInt32LE(4), wav.length - 8);
    assert.equal(wav.readUInt32LE(40), audio.samples.length * 2);
    const flac = await encodeAudio(audio, 'flac');
    // STREAMINFO (after "fLaC" and a 4-byte block header): 36 bits of total samples end at byte 26.
    assert.equal(Number(flac.readBigUInt64BE(18) & 0xfffffffffn), audio.samples.length);
  });
});

describe('streaming', () => {
  const seconds = 3;
  const chunkSeconds = 0.25;

  for (const format of ['mp3', 'opus', 'aac'] as const) {
    for (const rate of [24000, 44100]) {
      test(`${format} at ${rate} Hz gives audio bytes within the first second, and the stream decodes whole`, async () => {
        const { writes, last } = await stream(createStreamEncoder(format, rate), tone(seconds, rate, HZ, LEVEL), chunkSeconds);
        const firstSecond = Buffer.concat(writes.slice(0, 1 / chunkSeconds));
        // Opus sends two header pages first; audio comes in the pages after them.
        const audioPages = firstSecond.toString('latin1').split('OggS').length - 1 - 2;
        assert.ok(format === 'opus' ? audioPages > 0 : firstSecond.length > 0, `${format}: no audio out after 1 s in`);
        assert.ok(Buffer.concat(writes).length > last.length, 'most bytes come out before end()');
        await assertDecodesToTone(Buffer.concat([...writes, last]), format, rate, seconds);
      });
    }
  }

  test('flac streams with an open length (0 samples in its header) and decodes whole', async () => {
    const { writes, last } = await stream(createStreamEncoder('flac', 16000), tone(seconds, 16000, HZ, LEVEL), chunkSeconds);
    const bytes = Buffer.concat([...writes, last]);
    assert.equal(Number(bytes.readBigUInt64BE(18) & 0xfffffffffn), 0);
    assert.ok(Buffer.concat(writes.slice(0, 4)).length > 1000, 'frames come out as they are made');
    await assertDecodesToTone(bytes, 'flac', 16000, seconds);
  });

  test('wav streams a 44-byte header with 0xFFFFFFFF sizes, then 16-bit PCM; both decoders accept it', async () => {
    const audio = tone(seconds, 24000, HZ, LEVEL);
    const { writes, last } = await stream(createStreamEncoder('wav', 24000), audio, chunkSeconds);
    const bytes = Buffer.concat([...writes, last]);
    assert.equal(bytes.toString('ascii', 0, 4), 'RIFF');
    assert.equal(bytes.readUInt32LE(4), 0xffffffff);
    assert.equal(bytes.toString('ascii', 36, 40), 'data');
    assert.equal(bytes.readUInt32LE(40), 0xffffffff);
    assert.equal(bytes.length, 44 + audio.samples.length * 2);
    assert.equal(writes[0]!.length, 44 + Math.round(24000 * chunkSeconds) * 2);
    await assertDecodesToTone(bytes, 'wav', 24000, seconds);
  });

  test('a wav stream ended before any audio is just the header', async () => {
    const bytes = await createStreamEncoder('wav', 24000).end();
    assert.equal(bytes.length, 44);
  });

  test('pcm streams exactly the samples', async () => {
    const audio = tone(1, 16000, HZ, LEVEL);
    const { writes, last } = await stream(createStreamEncoder('pcm', 16000), audio, 0.1);
    assert.deepEqual(Buffer.concat([...writes, last]), encodePcm16(audio.samples));
  });

  test('aac takes a 20 s chunk in one write (ffmpeg output is drained while its input is written)', async () => {
    const audio = tone(20, 44100, HZ, LEVEL);
    const encoder = createStreamEncoder('aac', 44100);
    const bytes = Buffer.concat([await encoder.write(audio.samples), await encoder.end()]);
    await assertDecodesToTone(bytes, 'aac', 44100, 20);
    assert.ok(await noFfmpegChildrenWithin(2000), 'ffmpeg exits after end()');
  });
});

describe('abort', () => {
  test('kills the ffmpeg child of an aac stream', async () => {
    const encoder = createStreamEncoder('aac', 24000);
    await encoder.write(tone(0.5, 24000).samples);
    assert.equal(ffmpegChildren().length, 1, 'the stream runs one ffmpeg');
    encoder.abort();
    assert.ok(await noFfmpegChildrenWithin(2000), `ffmpeg still running: ${ffmpegChildren().join(', ')}`);
    await assert.rejects(encoder.write(tone(0.1, 24000).samples), 'nothing is encoded after abort');
  });

  test('never throws, whether the stream is new, mid-way, aborted already or ended', async () => {
    for (const format of OUTPUT_FORMATS) {
      const fresh = createStreamEncoder(format, 16000);
      fresh.abort();
      fresh.abort();
      const midway = createStreamEncoder(format, 16000);
      await midway.write(tone(0.3, 16000).samples);
      midway.abort();
      const ended = createStreamEncoder(format, 16000);
      await ended.write(tone(0.3, 16000).samples);
      await ended.end();
      ended.abort();
    }
    assert.ok(await noFfmpegChildrenWithin(2000));
  });
});

test('a long file is encoded in slices, so the event loop keeps turning', async () => {
  const audio = tone(30, 48000, HZ, LEVEL);
  for (const format of ['mp3', 'opus', 'flac'] as const) {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    await encodeAudio(audio, format);
    delay.disable();
    const worstMs = delay.max / 1e6;
    assert.ok(worstMs < 300, `${format}: the event loop stalled for ${worstMs.toFixed(0)} ms`);
  }
});

test('without ffmpeg on the PATH, aac is unavailable and the error says what to install', () => {
  const script = `
    import { createStreamEncoder, encodeAudio, encoderAvailable, EncoderUnavailableError } from '../src/audio/encode/index.ts';
    const result = { available: {}, mp3Bytes: 0 };
    for (const format of ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']) result.available[format] = encoderAvailable(format);
    try { createStreamEncoder('aac', 24000); } catch (error) {
      result.error = { unavailable: error instanceof EncoderUnavailableError, message: error.message };
    }
    result.mp3Bytes = (await encodeAudio({ samples: new Float32Array(24000), sampleRate: 24000 }, 'mp3')).length;
    console.log(JSON.stringify(result));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('.', import.meta.url),
    env: { ...process.env, PATH: '' },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout) as {
    available: Record<OutputFormat, boolean>;
    error?: { unavailable: boolean; message: string };
    mp3Bytes: number;
  };
  assert.deepEqual(result.available, { mp3: true, opus: true, aac: false, flac: true, wav: true, pcm: true });
  assert.equal(result.error?.unavailable, true, 'createStreamEncoder throws EncoderUnavailableError');
  assert.match(result.error.message, /response_format 'aac' needs ffmpeg on the PATH: apt-get install ffmpeg/);
  assert.ok(result.mp3Bytes > 0, 'in-process formats still encode');
});
