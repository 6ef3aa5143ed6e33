import { createRequire } from 'node:module';
import { SHERPA_MODULE_PATH, type OfflineRecognizerConfig, type RecognitionResult } from '../native/sherpa.js';
import { EngineThread } from './engine-thread.js';

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

/** A loaded speech-to-text model: audio in, a recognition result out, computed off the event loop. */
export class ThreadedRecognizer {
  private constructor(private readonly thread: EngineThread<RecognitionResult>) {}

  /** Makes the recognizer in a thread of its own; rejects with sherpa-onnx's message if it will not load. */
  static async create(config: OfflineRecognizerConfig): Promise<ThreadedRecognizer> {
    const { thread } = await EngineThread.start<RecognitionResult, object>(WORKER_SOURCE, { sherpa: SHERPA_MODULE_PATH, nice: NICE_MODULE_PATH, config, niceness: RECOGNIZER_NICENESS }, 'recognizer');
    return new ThreadedRecognizer(thread);
  }

  /** Recognises `samples` (mono, at `sampleRate`); they are copied, so the caller keeps them. */
  recognize(samples: Float32Array, sampleRate: number): Promise<RecognitionResult> {
    return this.thread.request({ samples, sampleRate });
  }

  /** Replaces the recognizer's config; recognitions asked for later use it. */
  setConfig(config: OfflineRecognizerConfig): void {
    this.thread.post({ config });
  }

  close(): void {
    this.thread.close();
  }

  /** Calls `listener` once the thread is gone, whether closed or crashed. */
  onStopped(listener: () => void): void {
    this.thread.onStopped(listener);
  }
}
