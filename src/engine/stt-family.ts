import type { FamilyBase, ResolvedFiles } from './family.js';
import type { OfflineRecognizerConfig, RecognitionResult } from '../native/sherpa.js';

/** What a speech-to-text model can do, as `GET /v1/models` shows it. */
export interface SttCapabilities {
  task: 'stt';
  family: string;
  /** Languages it can be told to expect (empty: it detects or knows only one). */
  languages: string[];
  /** Whether it can translate speech into English text (/v1/audio/translations). */
  translate: boolean;
  /** Whether its results carry token times, from which word timestamps are made. */
  word_timestamps: boolean;
  sample_rate: number;
  /** The longest audio it takes at once; longer files are cut into speech segments first. */
  max_segment_seconds: number;
}

/** What a request asks of a recognizer beyond the audio. */
export interface RecognitionOptions {
  task: 'transcribe' | 'translate';
  language?: string;
}

/**
 * A speech-to-text family over sherpa-onnx's OfflineRecognizer: what it can do, and its
 * recognizer config for a request's language and task.
 */
export interface SttFamily extends FamilyBase {
  readonly task: 'stt';
  capabilities(files: ResolvedFiles): Promise<SttCapabilities>;
  /**
   * True when sherpa-onnx's recognizer for this family keeps its features through `setConfig`
   * (it overrides SetConfig to take only its model options: Whisper). Otherwise each distinct
   * recognizer config gets a recognizer of its own.
   */
  readonly reconfigurable: boolean;
  /** The whole recognizer config for a request's options. */
  recognizerConfig(files: ResolvedFiles, options: RecognitionOptions, numThreads: number): OfflineRecognizerConfig;
  /** The detected or requested language of a result, where the family reports one. */
  resultLanguage?(result: RecognitionResult): string | undefined;
}
