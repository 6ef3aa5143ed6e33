import { EncoderUnavailableError, type StreamEncoder } from './stream-encoder.js';
import { createFfmpegEncoder, findFfmpeg, type OutputClock } from './ffmpeg.js';

/** The rates AAC has sampling-frequency indexes for; other input is resampled to the next one up. */
export const AAC_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000] as const;
const SAMPLES_PER_FRAME = 1024;
/** ffmpeg's raw-audio reader passes input on in packets of this many samples. */
const INPUT_PACKET_SAMPLES = 1024;
/** Plenty for clear mono speech with ffmpeg's native AAC-LC encoder. */
const BITRATE = '64k';
const ADTS_HEADER_BYTES = 7;

export const AAC_NEEDS_FFMPEG = "response_format 'aac' needs ffmpeg on the PATH: apt-get install ffmpeg";

export function aacEncoderAvailable(): boolean {
  return findFfmpeg() !== undefined;
}

/** Counts the audio in an ADTS stream: every raw data block in a frame holds 1024 samples. */
class AdtsClock implements OutputClock {
  private blocks = 0;
  private header = Buffer.alloc(0);
  private bytesLeftInFrame = 0;

  constructor(private readonly sampleRate: number) {}

  get seconds(): number {
    return (this.blocks * SAMPLES_PER_FRAME) / this.sampleRate;
  }

  push(bytes: Buffer): void {
    let at = 0;
    while (at < bytes.length) {
      if (this.bytesLeftInFrame > 0) {
        const skipped = Math.min(this.bytesLeftInFrame, bytes.length - at);
        this.bytesLeftInFrame -= skipped;
        at += skipped;
        continue;
      }
      // A header may straddle two chunks.
      const part = bytes.subarray(at, at + ADTS_HEADER_BYTES - this.header.length);
      this.header = Buffer.concat([this.header, part]);
      at += part.length;
      if (this.header.length < ADTS_HEADER_BYTES) return;
      const h = this.header;
      const frameLength = ((h[3]! & 0x03) << 11) | (h[4]! << 3) | (h[5]! >> 5);
      this.blocks += (h[6]! & 0x03) + 1;
      this.bytesLeftInFrame = Math.max(0, frameLength - ADTS_HEADER_BYTES);
      this.header = Buffer.alloc(0);
    }
  }
}

/** AAC-LC in ADTS frames, encoded by an ffmpeg child process. */
export function createAacStreamEncoder(sampleRate: number): StreamEncoder {
  const ffmpegPath = findFfmpeg();
  if (!ffmpegPath) {
    throw new EncoderUnavailableError(AAC_NEEDS_FFMPEG);
  }
  const outputRate = AAC_RATES.find((rate) => rate >= sampleRate) ?? 96000;
  return createFfmpegEncoder({
    ffmpegPath,
    inputRate: sampleRate,
    outputArgs: ['-c:a', 'aac', '-b:a', BITRATE, '-ar', String(outputRate), '-f', 'adts'],
    outputClock: new AdtsClock(outputRate),
    // Part of an input packet, and up to two frames inside the encoder (one filling, one it looks
    // ahead to), with 10 ms to spare.
    maxLagSeconds: INPUT_PACKET_SAMPLES / sampleRate + (2 * SAMPLES_PER_FRAME) / outputRate + 0.01,
  });
}
