import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudio } from '../../src/audio/decode.js';
import type { MonoAudio } from '../../src/audio/pcm.js';

/** Real recorded speech the tests share, kept in the repository (sources and licences: test/data/speech/README.md). */
export const SHARED_AUDIO = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'speech');

export function sharedClip(name: string): Buffer {
  return readFileSync(join(SHARED_AUDIO, name));
}

export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** A WAV file of interleaved integer samples, written by hand so the test controls every header field. */
export function intWav(channels: Float32Array[], sampleRate: number, bits: 16 | 24 | 32): Buffer {
  const bytesPerSample = bits / 8;
  const frames = channels[0]!.length;
  const data = Buffer.alloc(frames * channels.length * bytesPerSample);
  const max = 2 ** (bits - 1) - 1;
  let offset = 0;
  for (let i = 0; i < frames; i += 1) {
    for (const channel of channels) {
      data.writeIntLE(Math.round(Math.max(-1, Math.min(1, channel[i]!)) * max), offset, bytesPerSample);
      offset += bytesPerSample;
    }
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels.length, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels.length * bytesPerSample, 28);
  header.writeUInt16LE(channels.length * bytesPerSample, 32);
  header.writeUInt16LE(bits, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A 24-bit stereo WAV of a real clip: left is the clip, right the clip at half level. */
export async function stereo24BitWav(name: string): Promise<Buffer> {
  const clip = await decodeAudio(sharedClip(name));
  const right = clip.samples.map((s) => s / 2);
  return intWav([clip.samples, right], clip.sampleRate, 24);
}

export function tone(seconds: number, sampleRate: number, hz = 220, level = 0.5): MonoAudio {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i += 1) samples[i] = level * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return { samples, sampleRate };
}

/** Parses the mono 16-bit WAV the server returns. */
export function parseWav(bytes: Buffer): { sampleRate: number; samples: Int16Array } {
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  const sampleRate = bytes.readUInt32LE(24);
  const dataSize = bytes.readUInt32LE(40);
  const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + 44 + dataSize));
  return { sampleRate, samples };
}

/** Real 16 kHz clips, each after `gap` seconds of silence, with 1 s of silence at the end: the samples and where each clip lies. */
export async function clipsWithSilence(names: string[], gap = 2): Promise<{ samples: Float32Array; spans: [number, number][]; duration: number }> {
  const parts: Float32Array[] = [];
  const spans: [number, number][] = [];
  let at = 0;
  for (const name of names) {
    const clip = await decodeAudio(sharedClip(name));
    parts.push(new Float32Array(gap * 16000));
    at += gap;
    spans.push([at, at + clip.samples.length / 16000]);
    parts.push(clip.samples);
    at += clip.samples.length / 16000;
  }
  parts.push(new Float32Array(16000));
  const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    samples.set(p, offset);
    offset += p.length;
  }
  return { samples, spans, duration: samples.length / 16000 };
}
