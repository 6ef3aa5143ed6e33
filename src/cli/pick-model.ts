import { DEFAULT_MODEL_IDS } from '../catalogue/catalogue.js';
import { CliError } from './cli-error.js';
import type { Connection } from './connection.js';

export interface ListedModel {
  id: string;
  capabilities: { task: 'tts' | 'stt'; cloning?: string; voices?: string[]; translate?: boolean; default_voice?: string | null };
}

export interface ModelNeeds {
  task: 'tts' | 'stt';
  cloning?: boolean;
  translate?: boolean;
  /** A preset voice the model must have. */
  voice?: string;
  /** A voice to speak in without a clip or a voice name (a preset, or a default saved voice). */
  speaksUnprompted?: boolean;
}

interface SavedVoice {
  id: string;
  model: string | null;
}

function fits(model: ListedModel, needs: ModelNeeds): boolean {
  const c = model.capabilities;
  if (c.task !== needs.task) return false;
  if (needs.cloning !== undefined && (c.cloning !== undefined && c.cloning !== 'none') !== needs.cloning) return false;
  if (needs.voice !== undefined && !(c.voices ?? []).includes(needs.voice)) return false;
  if (needs.speaksUnprompted && !c.default_voice) return false;
  return !needs.translate || c.translate === true;
}

/** The default models first (the ones a first start installs), then the rest as the server lists them. */
function defaultsFirst(models: ListedModel[]): ListedModel[] {
  const rank = (id: string) => {
    const index = (DEFAULT_MODEL_IDS as readonly string[]).indexOf(id);
    return index === -1 ? DEFAULT_MODEL_IDS.length : index;
  };
  return [...models].sort((a, b) => rank(a.id) - rank(b.id));
}

function nothingFits(needs: ModelNeeds): CliError {
  if (needs.speaksUnprompted) {
    return new CliError('no text-to-speech model can speak without a clip: pull one with preset voices (vocable pull kokoro-int8-multi-lang-v1_0) or the voices for Pocket TTS (vocable pull kyutai-pocket-voices), or pass --ref <clip>');
  }
  const what = needs.task === 'stt' ? (needs.translate ? 'speech-to-text model that translates' : 'speech-to-text model') : needs.cloning ? 'text-to-speech model that clones' : 'text-to-speech model with preset voices';
  return new CliError(`no ${what} is installed: pull one (vocable pull <id>; vocable models lists them) or pass --model`);
}

/** The model `id` as the server lists it, or (without an id) the first installed model that can do the job, default models first. */
export async function pickModel(connection: Connection, id: string | undefined, needs: ModelNeeds): Promise<ListedModel> {
  if (id) return (await (await connection.call(`/v1/models/${encodeURIComponent(id)}`)).json()) as ListedModel;
  const { data } = (await (await connection.call('/v1/models')).json()) as { data: ListedModel[] };
  const model = defaultsFirst(data).find((m) => fits(m, needs));
  if (!model) throw nothingFits(needs);
  return model;
}

/**
 * The model for `vocable say --voice NAME` without `--model`: one with that preset voice, else (a
 * saved voice) the model it was saved for or the first that clones. A name that is neither gets
 * the list of voices there are.
 */
export async function pickModelForVoice(connection: Connection, voice: string): Promise<ListedModel> {
  const { data } = (await (await connection.call('/v1/models')).json()) as { data: ListedModel[] };
  const ordered = defaultsFirst(data);
  const withPreset = ordered.find((m) => fits(m, { task: 'tts', voice }));
  if (withPreset) return withPreset;
  const saved = (await (await connection.call('/v1/voices')).json()) as { data: SavedVoice[] };
  const savedVoice = saved.data.find((v) => v.id === voice);
  if (savedVoice) {
    const named = savedVoice.model ? ordered.find((m) => m.id === savedVoice.model) : undefined;
    const model = named ?? ordered.find((m) => fits(m, { task: 'tts', cloning: true }));
    if (!model) throw nothingFits({ task: 'tts', cloning: true });
    return model;
  }
  const presets = ordered.filter((m) => m.capabilities.task === 'tts').flatMap((m) => m.capabilities.voices ?? []);
  const names = [...new Set([...presets, ...saved.data.map((v) => v.id)])];
  throw new CliError(`no installed model has a voice '${voice}' and no voice is saved by that name; voices here: ${names.length > 0 ? names.join(', ') : 'none (vocable voices add <name> <clip> saves one)'}`);
}
