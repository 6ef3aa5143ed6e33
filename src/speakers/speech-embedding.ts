import type { MonoAudio } from '../audio/pcm.js';
import { resample } from '../audio/resample.js';
import type { ModelPool } from '../engine/model-pool.js';
import { cosineSimilarity } from '../engine/speaker-embedder.js';

/** Speaker models run on 16 kHz audio. */
export const SPEAKER_SAMPLE_RATE = 16000;

/** The embedding of 16 kHz samples, on the embedding model's queue. */
export function embedSpeech(pool: ModelPool, model: string, samples: Float32Array): Promise<Float32Array> {
  return pool.runEmbedding(model, (embedder) => embedder.embed(samples, SPEAKER_SAMPLE_RATE));
}

/**
 * How alike two voices sound to the installed embedding model: the cosine similarity of their
 * embeddings, from −1 to 1 (about 0.6 and up: likely one speaker; below about 0.4: different).
 */
export async function voiceSimilarity(pool: ModelPool, model: string, a: MonoAudio, b: MonoAudio): Promise<number> {
  const [left, right] = [await embedSpeech(pool, model, resample(a, SPEAKER_SAMPLE_RATE).samples), await embedSpeech(pool, model, resample(b, SPEAKER_SAMPLE_RATE).samples)];
  return Math.round(cosineSimilarity(left, right) * 1000) / 1000;
}
