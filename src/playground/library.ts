import type { ApiClient } from './api.js';
import type { ListOf, Model, SttModel, TtsModel } from '../wire/models.js';
import type { SavedVoice } from '../wire/voices.js';

const isTts = (model: Model): model is TtsModel => model.capabilities.task === 'tts';
const isStt = (model: Model): model is SttModel => model.capabilities.task === 'stt';

/** The server's models and saved voices, as last fetched; panels re-render when they change. */
export class Library {
  models: Model[] = [];
  voices: SavedVoice[] = [];
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly api: ApiClient) {}

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  get ttsModels(): TtsModel[] {
    return this.models.filter(isTts);
  }

  get sttModels(): SttModel[] {
    return this.models.filter(isStt);
  }

  /** Speech-to-text models, the one the server itself would pick for a saved voice's clip first: the most languages. */
  get sttModelsByPreference(): SttModel[] {
    return this.sttModels.sort((a, b) => b.capabilities.languages.length - a.capabilities.languages.length || a.id.localeCompare(b.id));
  }

  /** Whether the server can label speakers: it needs a segmentation and an embedding model. */
  get canLabelSpeakers(): boolean {
    return ['segmentation', 'embedding'].every((task) => this.models.some((m) => m.capabilities.task === task));
  }

  get cloningModels(): TtsModel[] {
    return this.ttsModels.filter((m) => m.capabilities.cloning !== 'none');
  }

  tts(id: string): TtsModel | undefined {
    return this.ttsModels.find((m) => m.id === id);
  }

  async refreshModels(): Promise<void> {
    // Aliases name models already listed; the pickers show each model once, by its own id.
    this.models = (await this.api.getJson<ListOf<Model>>('/v1/models')).data.filter((m) => m.alias_for === undefined);
    this.changed();
  }

  async refreshVoices(): Promise<void> {
    this.voices = (await this.api.getJson<ListOf<SavedVoice>>('/v1/voices')).data;
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
