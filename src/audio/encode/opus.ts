import OpusScript from 'opusscript';
import { sherpa } from '../../native/sherpa.js';
import { encodePcm16 } from '../wav.js';
import { OggStream, type OggPacket } from './ogg-stream.js';
import type { StreamEncoder } from './stream-encoder.js';

/** The input rates libopus takes; others are resampled to the next one up. */
export const OPUS_RATES = [8000, 12000, 16000, 24000, 48000] as const;
type OpusRate = (typeof OPUS_RATES)[number];
/** Ogg Opus counts time in 48 kHz samples whatever the input rate (RFC 7845). */
const GRANULE_RATE = 48000;
const FRAME_SECONDS = 0.02;
/**
 * libopus's encoder delay in 48 kHz samples (2.5 ms lookahead + 4 ms delay compensation, at
 * every input rate): the header's pre-skip tells decoders to drop that much from the start.
 */
const PRE_SKIP = 312;
const VENDOR = 'libopus 1.4 (opusscript)';

function opusHead(inputRate: number): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head.writeUInt8(1, 8); // version
  head.writeUInt8(1, 9); // channels
  head.writeUInt16LE(PRE_SKIP, 10);
  head.writeUInt32LE(inputRate, 12); // informational: the rate the audio was made at
  head.writeInt16LE(0, 16); // output gain
  head.writeUInt8(0, 18); // channel mapping family 0: mono or stereo, no mapping table
  return head;
}

function opusTags(): Buffer {
  const vendor = Buffer.from(VENDOR, 'utf8');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'ascii');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendor.length); // no user comments
  return tags;
}

function concatSamples(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length === 0) return b;
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Ogg Opus (libopus compiled to WebAssembly, in process), 20 ms packets. Each write returns the
 * Ogg pages of the packets it completed; the last page's granule position trims the padding.
 */
export function createOpusStreamEncoder(sampleRate: number): StreamEncoder {
  const encoderRate: OpusRate = OPUS_RATES.find((rate) => rate >= sampleRate) ?? 48000;
  const resampler = encoderRate === sampleRate ? undefined : new sherpa.LinearResampler(sampleRate, encoderRate);
  const frameSize = Math.round(encoderRate * FRAME_SECONDS);
  const granulesPerSample = GRANULE_RATE / encoderRate;
  const ogg = new OggStream();
  let opus: OpusScript | undefined = new OpusScript(encoderRate, 1, OpusScript.Application.AUDIO);
  let headers: Buffer | undefined = Buffer.concat([
    ogg.pages([{ data: opusHead(sampleRate), granule: 0 }]),
    ogg.pages([{ data: opusTags(), granule: 0 }]),
  ]);
  /** Samples (at the encoder's rate) taken in, and those not yet filling a whole frame. */
  let samplesIn = 0;
  let leftover = new Float32Array(0);
  let framesOut = 0;

  const takeHeaders = (): Buffer => {
    const bytes = headers ?? Buffer.alloc(0);
    headers = undefined;
    return bytes;
  };

  const encodeFrames = (encoder: OpusScript, samples: Float32Array): OggPacket[] => {
    const packets: OggPacket[] = [];
    let at = 0;
    for (; at + frameSize <= samples.length; at += frameSize) {
      const data = encoder.encode(encodePcm16(samples.subarray(at, at + frameSize)), frameSize);
      framesOut += 1;
      packets.push({ data, granule: framesOut * frameSize * granulesPerSample });
    }
    leftover = samples.slice(at);
    return packets;
  };

  const openEncoder = (): OpusScript => {
    if (!opus) throw new Error('the Opus stream is already closed');
    return opus;
  };
  const release = (): void => {
    try {
      opus?.delete();
    } catch {
      // abort() never throws, and a failed free leaves nothing more to do.
    }
    opus = undefined;
  };

  return {
    async write(samples) {
      const encoder = openEncoder();
      const input = resampler ? resampler.resample(samples) : samples;
      samplesIn += input.length;
      const packets = encodeFrames(encoder, concatSamples(leftover, input));
      return Buffer.concat([takeHeaders(), ogg.pages(packets)]);
    },
    async end() {
      const encoder = openEncoder();
      const tail = resampler ? resampler.flush(new Float32Array(0)) : new Float32Array(0);
      samplesIn += tail.length;
      // Pad with silence until the encoder's delay has pushed the last real sample out.
      const preSkip = PRE_SKIP / granulesPerSample;
      const framesNeeded = Math.ceil((samplesIn + preSkip) / frameSize);
      const padded = new Float32Array((framesNeeded - framesOut) * frameSize);
      padded.set(concatSamples(leftover, tail));
      const packets = encodeFrames(encoder, padded);
      // The end granule says where the real audio stops, so decoders drop the padding.
      packets.at(-1)!.granule = PRE_SKIP + samplesIn * granulesPerSample;
      release();
      return Buffer.concat([takeHeaders(), ogg.pages(packets, true)]);
    },
    abort: release,
  };
}
