import { SHERPA_MODULE_PATH, type SpeakerEmbeddingExtractorConfig } from '../native/sherpa.js';
import { EngineThread } from './engine-thread.js';

/**
 * sherpa-onnx's SpeakerEmbeddingExtractor computes synchronously, so it lives in a worker thread
 * of its own and the event loop only posts samples and receives vectors. Plain CommonJS source,
 * so the worker needs no TypeScript loader.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { SpeakerEmbeddingExtractor } = require(workerData.sherpa);
let extractor;
try {
  extractor = new SpeakerEmbeddingExtractor(workerData.config);
  parentPort.postMessage({ ready: true, dim: extractor.dim });
} catch (error) {
  parentPort.postMessage({ ready: false, error: String((error && error.message) || error) });
}
parentPort.on('message', ({ id, samples, sampleRate }) => {
  try {
    const stream = extractor.createStream();
    stream.acceptWaveform({ samples, sampleRate });
    stream.inputFinished();
    if (!extractor.isReady(stream)) return parentPort.postMessage({ id, error: 'the audio is too short for a speaker embedding' });
    const result = Float32Array.from(extractor.compute(stream, false));
    parentPort.postMessage({ id, result }, [result.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

/** A loaded embedding extractor: audio in, one vector out per call. */
export class SpeakerEmbedder {
  private constructor(
    private readonly thread: EngineThread<Float32Array>,
    readonly dim: number,
  ) {}

  static async load(config: SpeakerEmbeddingExtractorConfig): Promise<SpeakerEmbedder> {
    const { thread, info } = await EngineThread.start<Float32Array, { dim: number }>(WORKER_SOURCE, { sherpa: SHERPA_MODULE_PATH, config }, 'speaker-embedding model');
    return new SpeakerEmbedder(thread, info.dim);
  }

  /** The embedding of `samples` (mono, at `sampleRate`). */
  embed(samples: Float32Array, sampleRate: number): Promise<Float32Array> {
    return this.thread.request({ samples, sampleRate });
  }

  close(): void {
    this.thread.close();
  }
}

/** Cosine similarity of two embeddings, in [−1, 1]. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb);
}
