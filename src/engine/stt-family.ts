import type { SttCapabilities } from '../wire/models.js';
import type { FamilyBase, ResolvedFiles } from './family.js';
export type { SttCapabilities } from '../wire/models.js';
import type { OfflineRecognizerConfig, RecognitionResult } from '../native/sherpa.js';

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
