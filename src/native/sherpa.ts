import { createRequire } from 'node:module';

/** The parts of sherpa-onnx-node's (CommonJS, untyped) API that Vocable uses. */
export interface GeneratedAudio {
  samples: Float32Array;
  sampleRate: number;
}

export interface TtsGenerationConfig {
  speed?: number;
  sid?: number;
  numSteps?: number;
  silenceScale?: number;
  referenceAudio?: Float32Array;
  referenceSampleRate?: number;
  referenceText?: string;
  extra?: Record<string, number | string>;
}

export interface TtsGenerateRequest {
  text: string;
  sid: number;
  speed: number;
  generationConfig?: TtsGenerationConfig;
  /** Called with each chunk as it is made; return 0 or false to stop generation. */
  onProgress?: (info: { samples: Float32Array; progress: number }) => number | boolean | void;
}

export interface NativeOfflineTts {
  readonly sampleRate: number;
  readonly numSpeakers: number;
  generateAsync(request: TtsGenerateRequest): Promise<GeneratedAudio>;
}

export interface OfflineTtsConfig {
  model: Record<string, unknown> & { numThreads: number; debug: number; provider: string };
  maxNumSentences?: number;
}

export interface VadConfig {
  sileroVad: { model: string; threshold: number; minSilenceDuration: number; minSpeechDuration: number; windowSize: number; maxSpeechDuration: number };
  sampleRate: number;
  numThreads: number;
  debug: number;
}

export interface NativeVad {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  /** Whether speech is under way (started, and its closing silence not yet long enough). */
  isDetected(): boolean;
  front(enableExternalBuffer?: boolean): { start: number; samples: Float32Array };
  pop(): void;
  flush(): void;
  /** Back to a fresh state (times count from zero again), for the next file. */
  reset(): void;
}

/** One recognition result; which fields are filled depends on the model family. */
export interface RecognitionResult {
  text: string;
  tokens?: string[];
  timestamps?: number[];
  /** Seconds each token lasts (TDT transducers). */
  durations?: number[];
  /** Each token's log-probability (transducers). */
  ys_log_probs?: number[];
  lang?: string;
}

export interface NativeOfflineStream {
  acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void;
  setOption?(key: string, value: string): void;
}

export interface NativeOfflineRecognizer {
  createStream(): NativeOfflineStream;
  decodeAsync(stream: NativeOfflineStream): Promise<RecognitionResult>;
  setConfig(config: OfflineRecognizerConfig): void;
}

export interface OfflineRecognizerConfig {
  featConfig: { sampleRate: number; featureDim: number };
  modelConfig: Record<string, unknown> & { tokens: string; numThreads: number; debug: number; provider: string };
}

/** One speaker turn: seconds in the audio given, and a speaker index local to that call. */
export interface DiarizationTurn {
  start: number;
  end: number;
  speaker: number;
}

export interface OfflineSpeakerDiarizationConfig {
  segmentation: { pyannote: { model: string }; numThreads: number; debug: number; provider: string };
  embedding: { model: string; numThreads: number; debug: number; provider: string };
  /** numClusters > 0 fixes the count; otherwise clusters closer than `threshold` (cosine distance) merge. */
  clustering: { numClusters: number; threshold: number };
  minDurationOn: number;
  minDurationOff: number;
}

export interface NativeSpeakerDiarization {
  readonly handle: unknown;
  readonly sampleRate: number;
}

export interface SpeakerEmbeddingExtractorConfig {
  model: string;
  numThreads: number;
  debug: number;
  provider: string;
}

interface SherpaModule {
  OfflineRecognizer: { createAsync(config: OfflineRecognizerConfig): Promise<NativeOfflineRecognizer> };
  Vad: new (config: VadConfig, bufferSizeInSeconds: number) => NativeVad;
  OfflineTts: { createAsync(config: OfflineTtsConfig): Promise<NativeOfflineTts> };
  GenerationConfig: new (opts: TtsGenerationConfig) => TtsGenerationConfig;
  OfflineSpeakerDiarization: new (config: OfflineSpeakerDiarizationConfig) => NativeSpeakerDiarization;
  LinearResampler: new (inputRate: number, outputRate: number) => {
    resample(samples: Float32Array): Float32Array;
    flush(samples: Float32Array): Float32Array;
  };
}

const require = createRequire(import.meta.url);

export const sherpa = require('sherpa-onnx-node') as SherpaModule;

/** Where the package lives, for worker threads that load it themselves. */
export const SHERPA_MODULE_PATH = require.resolve('sherpa-onnx-node');

interface SherpaAddon {
  /** Runs on libuv's thread pool; the JS class only offers the blocking `process`. */
  offlineSpeakerDiarizationProcessAsync(handle: unknown, samples: Float32Array, onProgress: (done: number, total: number) => void): Promise<DiarizationTurn[]>;
}

const addon = require('sherpa-onnx-node/addon.js') as SherpaAddon;

/** Who speaks when in `samples` (at the diarizer's sample rate), off the event loop. */
export function diarizeAsync(diarizer: NativeSpeakerDiarization, samples: Float32Array): Promise<DiarizationTurn[]> {
  return addon.offlineSpeakerDiarizationProcessAsync(diarizer.handle, samples, () => undefined);
}
