import decodeAudioFile from 'audio-decode';
import { VocableError } from '../errors.js';
import { downmix, type MonoAudio } from './pcm.js';

/** The upload is not audio the server can read; the message says why. */
export class AudioDecodeError extends VocableError {
  constructor(message: string, code: 'invalid_audio' | 'audio_too_long' = 'invalid_audio') {
    super(code, message, 'file');
  }
}

/**
 * Decodes a whole audio file in memory, in process (WASM decoders: wav, mp3, flac, ogg
 * opus/vorbis, m4a/mp4 aac, webm...), to mono float samples at the file's own rate.
 */
export async function decodeAudio(bytes: Uint8Array): Promise<MonoAudio> {
  let decoded: { channelData: Float32Array[]; sampleRate: number };
  try {
    decoded = await decodeAudioFile(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AudioDecodeError(`the bytes are not a readable audio file (${reason})`);
  }
  if (decoded.channelData.length === 0 || decoded.sampleRate <= 0) {
    throw new AudioDecodeError('the file holds no audio samples');
  }
  const samples = downmix(decoded.channelData);
  if (samples.length === 0) throw new AudioDecodeError('the file holds no audio samples');
  if (samples.some((s) => !Number.isFinite(s))) throw new AudioDecodeError('the file decodes to invalid (non-finite) samples');
  return { samples, sampleRate: decoded.sampleRate };
}
