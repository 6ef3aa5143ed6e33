import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { SHERPA_MODULE_PATH, type OfflineRecognizerConfig, type RecognitionResult } from '../native/sherpa.js';

/** Added to the recognizer thread's nice value (Linux: per thread), so that it yields the CPU to the event loop. */
const RECOGNIZER_NICENESS = 5;
const NICE_MODULE_PATH = createRequire(import.meta.url).resolve('@napi-rs/nice');

/**
 * sherpa-onnx's offline stream computes its features in `acceptWaveform`, synchronously: on the
 * event loop that held it for milliseconds per second of audio, tens of them for a long segment,
 * and the model's queue waited on the event loop too. So each recognizer lives in a worker thread
 * of its own, and the event loop only posts samples and receives results. The thread runs at a
 * lower priority (ONNX Runtime's threads, made by it, inherit that), so that when every core is
 * busy routing and `/health` go first. Plain CommonJS source, so the worker needs no TypeScript
 * loader.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try { require(workerData.nice).nice(workerData.niceness); } catch {}
const { OfflineRecognizer } = require(workerData.sherpa);
let recognizer;
let configError;
try {
  recognizer = new OfflineRecognizer(workerData.config);
  parentPort.postMessage({ ready: true });
} catch (error) {
  parentPort.postMessage({ ready: false, error: String((error && error.message) || error) });
}
parentPort.on('message', (message) => {
  if (message.config) {
    try {
      recognizer.setConfig(message.config);
      configError = undefined;
    } catch (error) {
      configError = String((error && error.message) || error);
    }
    return;
  }
  const { id, samples, sampleRate } = message;
  if (configError) return parentPort.postMessage({ id, error: configError });
  try {
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples, sampleRate });
    recognizer.decode(stream);
    parentPort.postMessage({ id, result: recognizer.getResult(stream) });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface Reply {
  id: number;
  result?: RecognitionResult;
  error?: string;
}

/** A loaded speech-to-text model: audio in, a recognition result out, computed off the event loop. */
export class ThreadedRecognizer {
  private readonly pending = new Map<number, { resolve: (r: RecognitionResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  /** Why the thread is gone, once it is: later calls fail at once rather than wait for an answer that cannot come. */
  private stopped?: Error;
  private readonly stopListeners: (() => void)[] = [];

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.result) waiting.resolve(reply.result);
      else waiting.reject(new Error(reply.error ?? 'recognition failed'));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => this.failAll(new Error('the recognizer thread stopped')));
    worker.unref();
  }

  /** Makes the recognizer in a thread of its own; rejects with sherpa-onnx's message if it will not load. */
  static create(config: OfflineRecognizerConfig): Promise<ThreadedRecognizer> {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sherpa: SHERPA_MODULE_PATH, nice: NICE_MODULE_PATH, config, niceness: RECOGNIZER_NICENESS } });
    return new Promise((resolve, reject) => {
      worker.once('message', (first: { ready: boolean; error?: string }) => {
        if (first.ready) resolve(new ThreadedRecognizer(worker));
        else {
          void worker.terminate();
          reject(new Error(first.error ?? 'the recognizer did not load'));
        }
      });
      worker.once('error', reject);
    });
  }

  /** Recognises `samples` (mono, at `sampleRate`); they are copied, so the caller keeps them. */
  recognize(samples: Float32Array, sampleRate: number): Promise<RecognitionResult> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<RecognitionResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, samples, sampleRate });
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });
  }

  /** Replaces the recognizer's config; recognitions asked for later use it. */
  setConfig(config: OfflineRecognizerConfig): void {
    this.worker.postMessage({ config });
  }

  close(): void {
    void this.worker.terminate();
  }

  /** Calls `listener` once the thread is gone, whether closed or crashed. */
  onStopped(listener: () => void): void {
    if (this.stopped) listener();
    else this.stopListeners.push(listener);
  }

  private failAll(error: Error): void {
    if (!this.stopped) {
      this.stopped = error;
      for (const listener of this.stopListeners.splice(0)) listener();
    }
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
