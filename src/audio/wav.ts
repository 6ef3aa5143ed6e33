import type { MonoAudio } from './pcm.js';
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/** 16-bit little-endian PCM, clipped to [-1, 1]. */
export function encodePcm16(samples: Float32Array): Buffer {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    pcm[i] = Math.round(s < 0 ? s * 0x8000 : s * 0x7fff);
  }
  const out = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  return LITTLE_ENDIAN ? out : out.swap16();
}

/** A mono 16-bit PCM RIFF/WAVE file. */
export function encodeWav(audio: MonoAudio): Buffer {
  const data = encodePcm16(audio.samples);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(audio.sampleRate, 24);
  header.writeUInt32LE(audio.sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
