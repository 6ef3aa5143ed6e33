/** The shapes of the server's answers that the page reads (see src/server/routes). */

export type CloningMode = 'none' | 'audio' | 'audio+transcript';

/** A numeric generation control: its range and, when it has one, the model's default. */
export interface ControlSpec {
  type: 'number' | 'integer';
  min: number;
  max: number;
  default?: number;
}

export interface LanguageControl {
  values: string[];
  default: string;
}

export interface TtsCapabilities {
  task: 'tts';
  family: string;
  cloning: CloningMode;
  voices: string[];
  sample_rate: number;
  languages: string[];
  speed: 'native' | 'time_stretch';
  controls: { language?: LanguageControl } & { [name: string]: ControlSpec | LanguageControl | undefined };
}

export interface SttCapabilities {
  task: 'stt';
  family: string;
  languages: string[];
  translate: boolean;
  word_timestamps: boolean;
  sample_rate: number;
}

interface ModelState {
  id: string;
  loaded: boolean;
  memory_bytes: number;
  queue_depth: number;
  /** Set on an alias entry (OpenAI's `tts-1`, …): the installed model it stands for. */
  alias_for?: string;
}

export type TtsModel = ModelState & { capabilities: TtsCapabilities };
export type SttModel = ModelState & { capabilities: SttCapabilities };
/** Speaker segmentation and embedding models: together they label who spoke when. */
export type SpeakerModel = ModelState & { capabilities: { task: 'segmentation' | 'embedding'; family: string } };
export type Model = TtsModel | SttModel | SpeakerModel;

export interface SavedVoice {
  id: string;
  transcript: string | null;
  model: string | null;
  duration_seconds: number;
}

export interface ListOf<T> {
  data: T[];
}

export interface TranscriptSegment {
  id: number;
  start: number;
  end: number;
  text: string;
  /** With speaker_labels: a letter (A, B, …) per voice. */
  speaker?: string;
}

/** `response_format: verbose_json`, as much of it as the page shows. */
export interface VerboseTranscript {
  language: string;
  duration: number;
  text: string;
  segments?: TranscriptSegment[];
}

export const isTts = (model: Model): model is TtsModel => model.capabilities.task === 'tts';
export const isStt = (model: Model): model is SttModel => model.capabilities.task === 'stt';
