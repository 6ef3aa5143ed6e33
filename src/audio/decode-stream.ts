import decodeAudioFile from 'audio-decode';
import audioType from 'audio-type';
import { AudioDecodeError } from './decode.js';
import { downmix, type MonoAudio } from './pcm.js';

/** Encoded bytes handed to the decoder at a time: small, so PCM comes out in small pieces. */
const SLICE_BYTES = 64 * 1024;

type StreamDecoder = ((chunk?: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>) & { free(): void };
const decoders = decodeAudioFile as unknown as Record<string, () => Promise<StreamDecoder>>;

/**
 * Decodes a file piece by piece, yielding mono PCM as it comes, so a long recording never sits
 * in memory as one block of samples (only its encoded bytes do). Same formats as decodeAudio.
 */
export async function* decodeAudioStream(bytes: Uint8Array): AsyncGenerator<MonoAudio> {
  const type = audioType(bytes);
  const open = type ? decoders[type] : undefined;
  if (!open) throw new AudioDecodeError(bytes.length === 0 ? 'the file is empty' : 'the bytes are not a readable audio file (unknown format)');
  const decoder = await open();
  let finished = false;
  try {
    for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
      const piece = await decodePiece(() => decoder(bytes.subarray(at, at + SLICE_BYTES)));
      if (piece) yield piece;
    }
    finished = true;
    const last = await decodePiece(() => decoder());
    if (last) yield last;
  } finally {
    if (!finished) decoder.free();
  }
}

async function decodePiece(run: () => ReturnType<StreamDecoder>): Promise<MonoAudio | undefined> {
  let decoded: { channelData: Float32Array[]; sampleRate: number };
  try {
    decoded = await run();
  } catch (error) {
    throw new AudioDecodeError(`the audio is damaged or truncated (${error instanceof Error ? error.message : String(error)})`);
  }
  if (decoded.channelData.length === 0 || decoded.channelData[0]!.length === 0) return undefined;
  const samples = downmix(decoded.channelData);
  for (let i = 0; i < samples.length; i += 1) {
    if (!Number.isFinite(samples[i]!)) throw new AudioDecodeError('the file decodes to invalid (non-finite) samples');
  }
  return { samples, sampleRate: decoded.sampleRate };
}
