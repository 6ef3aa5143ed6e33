import { CliError } from './cli-error.js';
import type { Connection } from './connection.js';

export interface ListedModel {
  id: string;
  capabilities: { task: 'tts' | 'stt'; cloning?: string; voices?: string[]; translate?: boolean };
}

export interface ModelNeeds {
  task: 'tts' | 'stt';
  cloning?: boolean;
  translate?: boolean;
}

function fits(model: ListedModel, needs: ModelNeeds): boolean {
  const c = model.capabilities;
  if (c.task !== needs.task) return false;
  if (needs.cloning !== undefined && (c.cloning !== undefined && c.cloning !== 'none') !== needs.cloning) return false;
  return !needs.translate || c.translate === true;
}

/** The model `id` as the server lists it, or (without an id) the first installed model that can do the job. */
export async function pickModel(connection: Connection, id: string | undefined, needs: ModelNeeds): Promise<ListedModel> {
  if (id) return (await (await connection.call(`/v1/models/${encodeURIComponent(id)}`)).json()) as ListedModel;
  const { data } = (await (await connection.call('/v1/models')).json()) as { data: ListedModel[] };
  const model = data.find((m) => fits(m, needs));
  if (!model) {
    const what = needs.task === 'stt' ? (needs.translate ? 'speech-to-text model that translates' : 'speech-to-text model') : needs.cloning ? 'text-to-speech model that clones' : 'text-to-speech model with preset voices';
    throw new CliError(`no ${what} is installed: pull one (vocable pull <id>; vocable models lists them) or pass --model`);
  }
  return model;
}
