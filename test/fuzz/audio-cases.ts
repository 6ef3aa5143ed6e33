import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SHARED_AUDIO } from '../helpers/audio.js';
import type { Rng } from './rng.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');

/** Every real clip in test/data and test/data/speech, by file name: one of each container. */
export function realClips(): Map<string, Buffer> {
  const clips = new Map<string, Buffer>();
  for (const dir of [DATA, SHARED_AUDIO]) {
    for (const name of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('.md')).map((e) => e.name).sort()) clips.set(name, readFileSync(join(dir, name)));
  }
  return clips;
}

/** A real clip damaged the way uploads get damaged: cut short, bit-flipped, spliced, padded. */
export function corruptClip(rng: Rng, clips: Map<string, Buffer>): { bytes: Buffer; description: string } {
  const names = [...clips.keys()];
  const name = rng.pick(names);
  const clip = clips.get(name)!;
  // Most damage lands in the first KB: headers are where decoders trust the file.
  const spot = () => (rng.chance(0.6) ? rng.int(0, Math.min(1023, clip.length - 1)) : rng.int(0, clip.length - 1));
  switch (rng.int(0, 7)) {
    case 0: {
      const keep = rng.chance(0.5) ? rng.int(0, 256) : rng.int(0, clip.length - 1);
      return { bytes: clip.subarray(0, keep), description: `${name} truncated to ${keep} bytes` };
    }
    case 1:
    case 2: {
      const bytes = Buffer.from(clip);
      const flips = rng.int(1, 64);
      for (let i = 0; i < flips; i += 1) bytes[spot()] = rng.int(0, 255);
      return { bytes, description: `${name} with ${flips} bytes changed` };
    }
    case 3: {
      const bytes = Buffer.from(clip);
      const at = spot();
      const length = rng.int(1, 4096);
      bytes.fill(rng.pick([0, 0xff]), at, Math.min(at + length, bytes.length));
      return { bytes, description: `${name} with ${length} bytes blanked at ${at}` };
    }
    case 4: {
      const other = rng.pick(names);
      const at = spot();
      const bytes = Buffer.concat([clip.subarray(0, at), clips.get(other)!.subarray(rng.int(0, 2048))]);
      return { bytes, description: `${name} cut at ${at} and spliced with ${other}` };
    }
    case 5: {
      const at = spot();
      const length = rng.int(1, 8192);
      const bytes = Buffer.concat([clip.subarray(0, at), rng.bytes(length), clip.subarray(at)]);
      return { bytes, description: `${name} with ${length} random bytes inserted at ${at}` };
    }
    case 6: {
      const at = spot();
      const bytes = Buffer.concat([clip.subarray(0, at), clip.subarray(at, at + 4096), clip.subarray(at)]);
      return { bytes, description: `${name} with a repeated range at ${at}` };
    }
    default: {
      const bytes = Buffer.concat([clip.subarray(0, spot()), rng.bytes(rng.int(1, 16384))]);
      return { bytes, description: `${name} cut and ended with random bytes` };
    }
  }
}

interface WavHeader {
  format: number;
  channels: number;
  sampleRate: number;
  bits: number;
  blockAlign: number;
  byteRate: number;
  fmtSize: number;
  riffSize: number | 'exact';
  dataSize: number | 'exact';
}

function wavFile(header: WavHeader, data: Buffer, chunks: Buffer[]): Buffer {
  const fmt = Buffer.alloc(8 + Math.max(16, Math.min(header.fmtSize, 64)));
  fmt.write('fmt ', 0, 'ascii');
  fmt.writeUInt32LE(header.fmtSize >>> 0, 4);
  fmt.writeUInt16LE(header.format & 0xffff, 8);
  fmt.writeUInt16LE(header.channels & 0xffff, 10);
  fmt.writeUInt32LE(header.sampleRate >>> 0, 12);
  fmt.writeUInt32LE(header.byteRate >>> 0, 16);
  fmt.writeUInt16LE(header.blockAlign & 0xffff, 20);
  fmt.writeUInt16LE(header.bits & 0xffff, 22);
  const dataHeader = Buffer.alloc(8);
  dataHeader.write('data', 0, 'ascii');
  dataHeader.writeUInt32LE((header.dataSize === 'exact' ? data.length : header.dataSize) >>> 0, 4);
  const body = Buffer.concat([Buffer.from('WAVE'), fmt, ...chunks, dataHeader, data]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE((header.riffSize === 'exact' ? body.length : header.riffSize) >>> 0, 4);
  return Buffer.concat([riff, body]);
}

/** A WAV whose header lies: sizes past or short of the file, zero channels, absurd rates and widths. */
export function lyingWav(rng: Rng): { bytes: Buffer; description: string } {
  const channels = rng.pick([0, 1, 1, 2, 3, 8, 255, 65535]);
  const sampleRate = rng.pick([0, 1, 7, 8000, 16000, 44100, 192000, 4_000_000_000, 0xffffffff]);
  const bits = rng.pick([0, 1, 7, 8, 12, 16, 16, 24, 32, 33, 64, 65535]);
  const format = rng.pick([1, 1, 1, 3, 0xfffe, 0, 2, 6, 7, 0x11, 0x55, rng.int(0, 0xffff)]);
  const blockAlign = rng.pick([0, 1, 7, Math.ceil((channels * bits) / 8), Math.ceil((channels * bits) / 8), rng.int(0, 0xffff)]);
  const byteRate = rng.pick([0, sampleRate * blockAlign, rng.int(0, 0xffffffff)]);
  const fmtSize = rng.pick([16, 16, 18, 40, 0, 14, 0xffffffff]);
  const frames = rng.pick([0, 1, 3, 100, 8000, 32000]);
  const data = rng.chance(0.5) ? rng.bytes(Math.min(frames * Math.max(1, blockAlign), 256 * 1024)) : Buffer.alloc(Math.min(frames * Math.max(1, blockAlign), 256 * 1024), 0x40);
  const dataSize = rng.pick<number | 'exact'>(['exact', 'exact', 0, 0xffffffff, 0x7fffffff, Math.max(0, data.length - rng.int(1, 100)), data.length + rng.int(1, 1_000_000), data.length + 1]);
  const riffSize = rng.pick<number | 'exact'>(['exact', 'exact', 0, 4, 0xffffffff, rng.int(0, 100_000)]);
  const chunks: Buffer[] = [];
  if (rng.chance(0.3)) {
    // A chunk before "data" whose size is odd, zero or runs past the end of the file.
    const size = rng.pick([0, 1, 3, 0xffffffff, 0x7ffffff0]);
    const chunk = Buffer.alloc(8 + Math.min(size, 64));
    chunk.write(rng.pick(['LIST', 'junk', 'fact', 'data', 'fmt ', '\0\0\0\0']), 0, 'latin1');
    chunk.writeUInt32LE(size >>> 0, 4);
    chunks.push(chunk);
  }
  const header = { format, channels, sampleRate, bits, blockAlign, byteRate, fmtSize, riffSize, dataSize };
  const lies = Object.entries(header).map(([k, v]) => `${k}=${v}`).join(' ');
  return { bytes: wavFile(header, data, chunks), description: `WAV ${lies} bytes=${data.length}${chunks.length > 0 ? ' +odd chunk' : ''}` };
}

/** The magic bytes audio-type recognises, each followed by garbage: every decoder gets bad input. */
const MAGICS: readonly [string, () => Buffer][] = [
  ['wav', () => Buffer.from('RIFF\x24\0\0\0WAVEfmt ', 'latin1')],
  ['aiff', () => Buffer.from('FORM\0\0\0\x40AIFFCOMM', 'latin1')],
  ['mp3', () => Buffer.from([0xff, 0xfb, 0x90, 0x64])],
  ['id3', () => Buffer.from('ID3\x04\0\0\0\0\0\x10', 'latin1')],
  ['aac', () => Buffer.from([0xff, 0xf1, 0x50, 0x80])],
  ['flac', () => Buffer.from('fLaC\0\0\0\x22', 'latin1')],
  ['tta', () => Buffer.from('TTA1', 'latin1')],
  ['m4a', () => Buffer.from('\0\0\0\x20ftypM4A \0\0\0\0', 'latin1')],
  ['opus', () => Buffer.concat([Buffer.from('OggS\0\x02', 'latin1'), Buffer.alloc(22), Buffer.from('OpusHead\x01\x02', 'latin1')])],
  ['ogg-flac', () => Buffer.concat([Buffer.from('OggS\0\x02', 'latin1'), Buffer.alloc(22), Buffer.from('\x7fFLAC\x01\0', 'latin1')])],
  ['vorbis', () => Buffer.concat([Buffer.from('OggS\0\x02', 'latin1'), Buffer.alloc(22), Buffer.from('\x01vorbis', 'latin1')])],
  ['qoa', () => Buffer.from('qoaf', 'latin1')],
  ['midi', () => Buffer.from('MThd\0\0\0\x06', 'latin1')],
  ['caf', () => Buffer.from('caff\0\x01\0\0', 'latin1')],
  ['wma', () => Buffer.from([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])],
  ['amr', () => Buffer.from('#!AMR\n', 'latin1')],
  ['wavpack', () => Buffer.from('wvpk', 'latin1')],
  ['musepack', () => Buffer.from('MPCK', 'latin1')],
  ['ape', () => Buffer.from('MAC ', 'latin1')],
  ['dsf', () => Buffer.from('DSD \x1c\0\0\0', 'latin1')],
  ['dff', () => Buffer.from('FRM8\0\0\0\0\0\0\0\0DSD ', 'latin1')],
  ['ac3', () => Buffer.from([0x0b, 0x77, 0, 0, 0x10, 0x40])],
  ['eac3', () => Buffer.from([0x0b, 0x77, 0, 0, 0x10, 0x80])],
  ['dts', () => Buffer.from([0x7f, 0xfe, 0x80, 0x01])],
  ['it', () => Buffer.from('IMPM', 'latin1')],
  ['xm', () => Buffer.from('Extended Module: ', 'latin1')],
  ['s3m', () => Buffer.concat([Buffer.alloc(44), Buffer.from('SCRM', 'latin1')])],
  ['mod', () => Buffer.concat([Buffer.alloc(1080), Buffer.from('M.K.', 'latin1')])],
  ['webm', () => Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d])],
  ['mkv', () => Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88, 0x6d, 0x61, 0x74, 0x72, 0x6f, 0x73, 0x6b, 0x61])],
  ['avi', () => Buffer.from('RIFF\0\0\0\0AVI LIST', 'latin1')],
];

export function magicWithGarbage(rng: Rng): { bytes: Buffer; description: string } {
  const [name, magic] = rng.pick(MAGICS);
  const length = rng.pick([0, 1, 16, 100, 1000, rng.int(0, 4096), 65_536]);
  const fill = rng.pick(['random', 'zeros', 'ones']);
  const tail = fill === 'random' ? rng.bytes(length) : Buffer.alloc(length, fill === 'zeros' ? 0 : 0xff);
  return { bytes: Buffer.concat([magic(), tail]), description: `${name} magic + ${length} ${fill} bytes` };
}

/**
 * A 2 KB ProTracker module: 128 orders of one empty pattern at 31 ticks a row, which a tracker
 * renderer plays for well over an hour. A score, not a recording: the renderer makes the audio.
 */
export function trackerModule(): Buffer {
  const header = Buffer.alloc(1084);
  header.write('fuzz', 0, 'latin1');
  header[950] = 128; // song length in orders; the order table (all pattern 0) stays zero
  header[951] = 127;
  header.write('M.K.', 1080, 'latin1');
  const pattern = Buffer.alloc(64 * 4 * 4);
  pattern.set([0, 0, 0x0f, 0x1f], 0); // effect F1F: 31 ticks per row
  return Buffer.concat([header, pattern]);
}

/** A WAV header that claims 4 GB of data in front of one second of it. */
export function hugeClaimWav(): Buffer {
  const header = { format: 1, channels: 1, sampleRate: 16000, bits: 16, blockAlign: 2, byteRate: 32000, fmtSize: 16, riffSize: 0xffffffff, dataSize: 0xffffffff };
  const data = Buffer.alloc(32000);
  for (let i = 0; i < 16000; i += 1) data.writeInt16LE(Math.round(8000 * Math.sin(i / 10)), i * 2);
  return wavFile(header, data, []);
}

/** A 16-bit WAV at 1 Hz: 40 KB of samples that claim 20 000 seconds. */
export function slowRateWav(): Buffer {
  const data = Buffer.alloc(40_000);
  for (let i = 0; i < 20_000; i += 1) data.writeInt16LE(i % 2 === 0 ? 9000 : -9000, i * 2);
  return wavFile({ format: 1, channels: 1, sampleRate: 1, bits: 16, blockAlign: 2, byteRate: 2, fmtSize: 16, riffSize: 'exact', dataSize: 'exact' }, data, []);
}

const run = promisify(execFile);

/**
 * Highly compressible silence, made with ffmpeg into a temporary file: `seconds` of it at
 * 16 kHz in FLAC frames of 65535 samples, a few dozen bytes a frame (an hour is ~40 KB).
 */
export async function silentFlac(seconds: number): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'vocable-fuzz-'));
  try {
    const out = join(dir, 'silence.flac');
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', String(seconds), '-c:a', 'flac', '-frame_size', '65535', '-y', out]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
