import { AudioDecodeError } from '../audio/decode.js';
import { AudioTooLongError, decodeAudioWithin } from '../audio/decode-stream.js';
import { resample } from '../audio/resample.js';
import { trimSilence } from '../audio/trim-silence.js';
import { movedResult, ownedBytes, ownedSamples } from '../audio/worker-pool.js';
import { PayloadTooLargeError, VocableError } from '../errors.js';
import { bestSpeechStretch } from './best-speech-stretch.js';
import { decodeReferenceBase64 } from './reference-clip.js';

/** Runs in the audio worker pool: a reference clip's bytes decoded, resampled to the family's rate, and its silences trimmed. */
export interface ClipArgs {
  bytes: Uint8Array;
  sampleRate: number;
  maxDecodedSeconds: number;
}

export type ClipResult =
  | { rawSeconds: number; samples: Float32Array }
  | { error: 'too-long' | 'invalid-audio'; message: string };

export async function prepareClip({ bytes, sampleRate, maxDecodedSeconds }: ClipArgs): Promise<ClipResult> {
  try {
    const decoded = await decodeAudioWithin(bytes, { maxSeconds: maxDecodedSeconds });
    const rawSeconds = decoded.samples.length / decoded.sampleRate;
    const { samples } = trimSilence(resample(decoded, sampleRate));
    const own = ownedSamples(samples);
    return movedResult({ rawSeconds, samples: own }, [own.buffer]);
  } catch (error) {
    if (error instanceof AudioTooLongError) return { error: 'too-long', message: error.message };
    if (error instanceof AudioDecodeError) return { error: 'invalid-audio', message: error.message };
    throw error;
  }
}

/** Runs in the audio worker pool: a long base64 `ref_audio` checked and decoded, as decodeReferenceBase64 does. */
export interface Base64Args {
  value: string;
  maxBytes: number;
  param: string;
}

export type Base64Result = { bytes: Uint8Array } | { error: 'too-large' | 'invalid'; message: string };

export function decodeBase64({ value, maxBytes, param }: Base64Args): Base64Result {
  try {
    const decoded = decodeReferenceBase64(value, maxBytes, param);
    // Large Buffers own their memory; a small one is a view into a shared slab and is copied.
    const own = ownedBytes(decoded);
    return movedResult({ bytes: own }, [own.buffer]);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) return { error: 'too-large', message: error.message };
    if (error instanceof VocableError) return { error: 'invalid', message: error.message };
    throw error;
  }
}

/** Runs in the audio worker pool: the `seconds` of a long clip that hold the most speech (Silero VAD), as bestSpeechStretch finds them. */
export interface StretchArgs {
  samples: Float32Array;
  sampleRate: number;
  seconds: number;
  vadModel: string;
}

export async function bestStretch({ samples, sampleRate, seconds, vadModel }: StretchArgs): Promise<Float32Array> {
  const own = ownedSamples((await bestSpeechStretch({ samples, sampleRate }, seconds, vadModel)).samples);
  return movedResult(own, [own.buffer]);
}

/** Runs in the audio worker pool: already decoded audio (a saved voice) resampled to the family's rate and its silences trimmed. */
export interface FitArgs {
  samples: Float32Array;
  sampleRate: number;
  targetRate: number;
}

export function fitClip({ samples, sampleRate, targetRate }: FitArgs): Float32Array {
  const own = ownedSamples(trimSilence(resample({ samples, sampleRate }, targetRate)).samples);
  return movedResult(own, [own.buffer]);
}
