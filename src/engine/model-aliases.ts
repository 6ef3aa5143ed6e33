import type { InstalledModel } from './discovery.js';

/** OpenAI's text-to-speech model names, as clients hard-code them. */
export const OPENAI_TTS_MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15'] as const;
/** OpenAI's speech-to-text model names (diarizing ones left out: Vocable does not diarize). */
export const OPENAI_STT_MODELS = ['whisper-1', 'gpt-transcribe', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe', 'gpt-4o-mini-transcribe-2025-12-15'] as const;

export interface ModelAlias {
  alias: string;
  target: string;
}

/**
 * Names that stand for an installed model: OpenAI's model names, each meaning the installed
 * default model for its task, and any the operator configures (`modelAliases`), which win.
 * A model folder of the same name always wins over an alias.
 */
export class ModelAliases {
  constructor(
    private readonly configured: Readonly<Record<string, string>> = {},
    /** Model ids preferred as a task's default, first installed wins (the catalogue's defaults). */
    private readonly preferred: readonly string[] = [],
  ) {}

  /** The model id `name` stands for, or undefined when it is no alias (or its task has no model installed). */
  resolve(name: string, models: readonly InstalledModel[]): string | undefined {
    const configured = this.configured[name];
    if (configured !== undefined) return configured;
    if ((OPENAI_TTS_MODELS as readonly string[]).includes(name)) return this.defaultModel('tts', models);
    if ((OPENAI_STT_MODELS as readonly string[]).includes(name)) return this.defaultModel('stt', models);
    return undefined;
  }

  /** Every alias that leads to an installed model, with that model's id. */
  list(models: readonly InstalledModel[]): ModelAlias[] {
    const installed = new Set(models.map((m) => m.id));
    const names = [...new Set([...OPENAI_TTS_MODELS, ...OPENAI_STT_MODELS, ...Object.keys(this.configured)])];
    return names
      .filter((alias) => !installed.has(alias))
      .map((alias) => ({ alias, target: this.resolve(alias, models) }))
      .filter((entry): entry is ModelAlias => entry.target !== undefined && installed.has(entry.target));
  }

  /** The preferred model of `task` if installed, else the first installed by id. */
  private defaultModel(task: 'tts' | 'stt', models: readonly InstalledModel[]): string | undefined {
    const candidates = models.filter((m) => m.task === task).map((m) => m.id);
    return this.preferred.find((id) => candidates.includes(id)) ?? candidates.sort()[0];
  }
}
