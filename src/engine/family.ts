import type { MonoAudio } from '../audio/pcm.js';
import type { ReferenceSeconds, TtsCapabilities } from '../wire/models.js';
import type { ControlValues } from './controls.js';
export type { CloningMode, ReferenceSeconds, TtsCapabilities } from '../wire/models.js';
import type { MetadataContract } from './metadata-contract.js';
import type { TtsGenerateRequest } from '../native/sherpa.js';


/**
 * One file (or folder) a family needs; the first of `names` found is used. A pattern stands for
 * names that vary by model size (`tiny-encoder.onnx`, `base-encoder.onnx`).
 */
export interface SingleFileRole {
  role: string;
  names: readonly (string | RegExp)[];
  kind: 'file' | 'dir';
  /** Shown in "missing ..." messages for patterns. */
  describe?: string;
  /** The family reads it when present and does without it otherwise. */
  optional?: boolean;
}

/** Optional files matching a pattern, passed to the engine as one comma-separated list. */
export interface FileListRole {
  role: string;
  pattern: RegExp;
  kind: 'files';
}

export type FileRole = SingleFileRole | FileListRole;

/** How a family wants its reference clip. */
export interface ReferencePolicy {
  sampleRate: number;
  /** Longer clips are cut to this length (`truncate`) or refused (`reject`, when a transcript must match). */
  maxSeconds: number;
  overLength: 'truncate' | 'reject';
}

/** A clip shorter than this holds too little of a voice to clone. */
export const MIN_REFERENCE_SECONDS = 1;
/**
 * Decoding stops past this: the families keep 10-30 s of speech, and a bound on the decoded
 * length (not just the file size) keeps a highly compressed clip from becoming gigabytes of PCM.
 */
export const MAX_DECODED_REFERENCE_SECONDS = 120;

export function referenceSeconds(policy: ReferencePolicy): ReferenceSeconds {
  return { min: MIN_REFERENCE_SECONDS, max: policy.overLength === 'reject' ? policy.maxSeconds : MAX_DECODED_REFERENCE_SECONDS, used: policy.maxSeconds };
}

export interface ReferenceClip {
  audio: MonoAudio;
  text?: string;
  /** Set when the clip sent was longer than the model uses and was cut to `audio`. */
  trimmed?: { fromSeconds: number; toSeconds: number };
}

export interface SynthesisInput {
  text: string;
  speed: number;
  /** Index of the preset voice (speaker id); 0 when the family has none. */
  speakerId: number;
  reference?: ReferenceClip;
  /** Only the controls the request set; absent ones keep the family's defaults. */
  controls: ControlValues;
  /** Set only when the family takes a language and the request named one. */
  language?: string;
}

/** Paths of a model folder's files, by role. */
export type ResolvedFiles = Readonly<Record<string, string>>;

/** What every model family declares: its name, the files it needs, and how to recognise its folder. */
export interface FamilyBase {
  readonly id: string;
  readonly displayName: string;
  readonly files: readonly FileRole[];
  /** True when a folder's file names say it is this family. */
  matches(fileNames: ReadonlySet<string>): boolean;
  /** The ONNX metadata the family's native code cannot run without, checked before loading. */
  readonly metadata?: readonly MetadataContract[];
}

/**
 * A text-to-speech family over sherpa-onnx: what it can do, and how to turn a folder and a
 * request into the engine's config and generation request.
 */
export interface TtsFamily extends FamilyBase {
  readonly task: 'tts';
  capabilities(files: ResolvedFiles): Promise<TtsCapabilities>;
  /** Silence between separately synthesised text chunks, where a family wants other than the usual (chunkGapSeconds()). */
  readonly chunkGapSeconds?: number;
  /** True when the engine takes the language per request (otherwise it follows the text). */
  readonly takesLanguage: boolean;
  /**
   * True when the engine reads text through espeak-ng or a lexicon and silently skips what it
   * cannot read (an espeak-ng voice it lacks, a script the voice does not know): the server then
   * checks that the audio is long enough for the text.
   */
  readonly skipsUnreadableText: boolean;
  reference?: ReferencePolicy;
  /** The language a preset voice speaks, where its name tells; used when a request names none. */
  voiceLanguage?(voice: string): string | undefined;
  /** The family's part of sherpa-onnx's `model` config, e.g. `{ kokoro: {...} }`. */
  nativeModelConfig(files: ResolvedFiles, capabilities: TtsCapabilities): Record<string, unknown>;
  generateRequest(input: SynthesisInput): Omit<TtsGenerateRequest, 'onProgress'>;
}

/** The pause every family so far leaves between text chunks: a breath, shorter than a sentence break read aloud. */
const DEFAULT_CHUNK_GAP_SECONDS = 0.1;

export function chunkGapSeconds(family: TtsFamily): number {
  return family.chunkGapSeconds ?? DEFAULT_CHUNK_GAP_SECONDS;
}
