import { decodeAudio } from './decode.js';
import { movedResult, ownedSamples } from './worker-pool.js';

/** Runs in the audio worker pool: a whole file decoded to mono, the samples moved back. */
export async function decodeFile(bytes: Uint8Array): Promise<{ samples: Float32Array; sampleRate: number }> {
  const { samples, sampleRate } = await decodeAudio(bytes);
  const own = ownedSamples(samples);
  return movedResult({ samples: own, sampleRate }, [own.buffer]);
}
