import { Worker } from 'node:worker_threads';
import { SHERPA_MODULE_PATH, type SpeakerEmbeddingExtractorConfig } from '../native/sherpa.js';

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
    const embedding = Float32Array.from(extractor.compute(stream, false));
    parentPort.postMessage({ id, embedding }, [embedding.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface Reply {
  id: number;
  embedding?: Float32Array;
  error?: string;
}

/** A loaded embedding extractor: audio in, one vector out per call. */
export class SpeakerEmbedder {
  private readonly pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  private constructor(private readonly worker: Worker, readonly dim: number) {
    worker.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.embedding) waiting.resolve(reply.embedding);
      else waiting.reject(new Error(reply.error ?? 'speaker embedding failed'));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => this.failAll(new Error('the speaker-embedding worker stopped')));
    worker.unref();
  }

  static load(config: SpeakerEmbeddingExtractorConfig): Promise<SpeakerEmbedder> {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sherpa: SHERPA_MODULE_PATH, config } });
    return new Promise((resolve, reject) => {
      worker.once('message', (first: { ready: boolean; dim?: number; error?: string }) => {
        if (first.ready) resolve(new SpeakerEmbedder(worker, first.dim!));
        else {
          void worker.terminate();
          reject(new Error(first.error ?? 'the speaker-embedding model did not load'));
        }
      });
      worker.once('error', reject);
    });
  }

  /** The embedding of `samples` (mono, at `sampleRate`). */
  embed(samples: Float32Array, sampleRate: number): Promise<Float32Array> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, samples, sampleRate });
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    }) as Promise<Float32Array>;
  }

  close(): void {
    void this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
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
