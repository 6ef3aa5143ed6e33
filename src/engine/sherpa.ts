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

interface SherpaModule {
  OfflineTts: { createAsync(config: OfflineTtsConfig): Promise<NativeOfflineTts> };
  GenerationConfig: new (opts: TtsGenerationConfig) => TtsGenerationConfig;
  LinearResampler: new (inputRate: number, outputRate: number) => {
    resample(samples: Float32Array): Float32Array;
    flush(samples: Float32Array): Float32Array;
  };
}

export const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule;
