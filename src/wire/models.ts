/** `GET /v1/models` and `GET /v1/models/{id}`: OpenAI's model object plus what each model can do. */

export type CloningMode = 'none' | 'audio' | 'audio+transcript';

/** Per-request generation controls a family may honour, as `/v1/audio/speech` names them. */
export type ControlName = 'temperature' | 'top_p' | 'top_k' | 'repetition_penalty' | 'max_tokens' | 'seed' | 'num_steps' | 'guidance_scale';

/** A control's valid range and the value the family uses when it is absent. */
export interface ControlSpec {
  type: 'number' | 'integer';
  min: number;
  max: number;
  /** The family's own default; absent for controls with none (a seed is random when absent). */
  default?: number;
}

export type FamilyControls = Partial<Record<ControlName, ControlSpec>>;

/** The languages a model takes per request, and the one it uses when none is named. */
export interface LanguageControl {
  values: string[];
  default: string;
}

/**
 * The one rule for a model's reference clips: clips of `min`-`max` seconds are accepted, and the
 * model uses `used` seconds of speech; a longer clip is trimmed to its best stretch of speech.
 * Where a transcript must match the clip, nothing is trimmed, so `max` is `used`.
 */
export interface ReferenceSeconds {
  min: number;
  max: number;
  used: number;
}

export interface TtsCapabilities {
  task: 'tts';
  family: string;
  cloning: CloningMode;
  voices: string[];
  sample_rate: number;
  languages: string[];
  /** How `speed` is honoured: by the engine itself, or by stretching its audio afterwards (pitch kept). */
  speed: 'native' | 'time_stretch';
  /** The generation controls the model honours, with ranges and defaults. */
  controls: FamilyControls & { language?: LanguageControl };
  /** For models that clone: the reference clip's rule. */
  reference_seconds?: ReferenceSeconds;
  /**
   * As listed: what the model speaks in when a request names no voice and sends no clip (its first
   * preset, or the saved voice OpenAI's default voice stands for on a model that only clones);
   * null when such a request needs a clip or a voice name.
   */
  default_voice?: string | null;
}

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

export interface SpeakerCapabilities {
  /** `segmentation` finds who speaks when inside short windows; `embedding` turns a voice into a vector. */
  task: 'segmentation' | 'embedding';
  family: string;
  sample_rate: number;
  /** Length of the vectors an embedding model makes. */
  embedding_dim?: number;
}

/** Whether a model is in memory, what it takes, and its jobs running or waiting. */
export interface ModelState {
  loaded: boolean;
  memory_bytes: number;
  queue_depth: number;
}

export interface ModelEntry<C = TtsCapabilities | SttCapabilities | SpeakerCapabilities> extends ModelState {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** Set on an alias entry (OpenAI's `tts-1`, …): the installed model it stands for. */
  alias_for?: string;
  capabilities: C;
}

export type TtsModel = ModelEntry<TtsCapabilities>;
export type SttModel = ModelEntry<SttCapabilities>;
export type SpeakerModel = ModelEntry<SpeakerCapabilities>;
export type Model = TtsModel | SttModel | SpeakerModel;

/** OpenAI's list object. */
export interface ListOf<T> {
  object: 'list';
  data: T[];
}
