import type { MonoAudio } from '../audio/pcm.js';
import type { TtsGenerateRequest } from './sherpa.js';

export type CloningMode = 'none' | 'audio' | 'audio+transcript';

/** One file (or folder) a family needs; the first name found among `names` is used. */
export interface FileRole {
  role: string;
  names: readonly string[];
  kind: 'file' | 'dir';
}

/** What a model can do, as `GET /v1/models` shows it. */
export interface TtsCapabilities {
  task: 'tts';
  family: string;
  cloning: CloningMode;
  voices: string[];
  sample_rate: number;
  languages: string[];
  speed: boolean;
}

/** How a family wants its reference clip. */
export interface ReferencePolicy {
  sampleRate: number;
  /** Longer clips are cut to this length (`truncate`) or refused (`reject`, when a transcript must match). */
  maxSeconds: number;
  overLength: 'truncate' | 'reject';
}

export interface ReferenceClip {
  audio: MonoAudio;
  text?: string;
}

export interface SynthesisInput {
  text: string;
  speed: number;
  /** Index of the preset voice (speaker id); 0 when the family has none. */
  speakerId: number;
  reference?: ReferenceClip;
}

/** Paths of a model folder's files, by role. */
export type ResolvedFiles = Readonly<Record<string, string>>;

/**
 * A model family over sherpa-onnx: the files it needs, what it can do, and how to turn a
 * folder and a request into the engine's config and generation request.
 */
export interface TtsFamily {
  readonly id: string;
  readonly displayName: string;
  readonly files: readonly FileRole[];
  /** True when a folder's file names say it is this family. */
  matches(fileNames: ReadonlySet<string>): boolean;
  capabilities(files: ResolvedFiles): Promise<TtsCapabilities>;
  reference?: ReferencePolicy;
  /** The family's part of sherpa-onnx's `model` config, e.g. `{ kokoro: {...} }`. */
  nativeModelConfig(files: ResolvedFiles): Record<string, unknown>;
  generateRequest(input: SynthesisInput): Omit<TtsGenerateRequest, 'onProgress'>;
}
