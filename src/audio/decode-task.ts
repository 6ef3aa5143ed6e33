import { decodeAudio } from './decode.js';
import { movedResult } from './worker-pool.js';

/** Runs in the audio worker pool: a whole file decoded to mono, the samples moved back. */
export async function decodeFile(bytes: Uint8Array): Promise<{ samples: Float32Array; sampleRate: number }> {
  const { samples, sampleRate } = await decodeAudio(bytes);
  const own = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength ? samples : samples.slice();
  return movedResult({ samples: own, sampleRate }, [own.buffer as ArrayBuffer]);
}
