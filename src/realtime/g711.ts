/**
 * G.711 μ-law and A-law (ITU-T G.711), the 8 kHz telephone codings OpenAI's Realtime API takes
 * as `audio/pcmu` and `audio/pcma` and ElevenLabs sends as `ulaw_8000` / `alaw_8000`.
 */
const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = (((u & 0x0f) << 3) + MULAW_BIAS) << exponent;
  return u & 0x80 ? MULAW_BIAS - magnitude : magnitude - MULAW_BIAS;
}

function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  let magnitude = (a & 0x0f) << 4;
  magnitude = exponent === 0 ? magnitude + 8 : (magnitude + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

function linearToMulaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), MULAW_CLIP) + MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function linearToAlaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  const magnitude = Math.min(sample >= 0 ? sample : -sample - 1, 32767);
  let byte: number;
  if (magnitude < 256) {
    byte = magnitude >> 4;
  } else {
    let exponent = 1;
    while (magnitude >> (exponent + 8) > 0 && exponent < 7) exponent += 1;
    byte = (exponent << 4) | ((magnitude >> (exponent + 3)) & 0x0f);
  }
  return (byte | sign) ^ 0x55;
}

const table = (decode: (byte: number) => number): Float32Array => Float32Array.from({ length: 256 }, (_, byte) => decode(byte) / 32768);
const MULAW_TABLE = table(mulawToLinear);
const ALAW_TABLE = table(alawToLinear);

export type G711Law = 'mulaw' | 'alaw';

export function decodeG711(bytes: Uint8Array, law: G711Law): Float32Array {
  const lookup = law === 'mulaw' ? MULAW_TABLE : ALAW_TABLE;
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) out[i] = lookup[bytes[i]!]!;
  return out;
}

export function encodeG711(samples: Float32Array, law: G711Law): Buffer {
  const encode = law === 'mulaw' ? linearToMulaw : linearToAlaw;
  const out = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i += 1) out[i] = encode(Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767));
  return out;
}
