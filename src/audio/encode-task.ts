import { encodeAudio, type OutputFormat } from './encode/index.js';
import { movedResult, ownedBytes } from './worker-pool.js';

/** Runs in the audio worker pool: a whole response's samples encoded, the bytes moved back. */
export interface EncodeArgs {
  samples: Float32Array;
  sampleRate: number;
  format: OutputFormat;
}

export async function encodeFile({ samples, sampleRate, format }: EncodeArgs): Promise<Uint8Array> {
  const bytes = await encodeAudio({ samples, sampleRate }, format);
  // Small Buffers are views into a shared slab, which must stay here.
  const own = ownedBytes(bytes);
  return movedResult(own, [own.buffer]);
}
