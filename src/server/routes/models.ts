import type { FastifyInstance } from 'fastify';
import type { InstalledModel, InstalledTtsModel } from '../../engine/discovery.js';
import type { ModelPool } from '../../engine/model-pool.js';
import type { ListOf, ModelEntry } from '../../wire/models.js';

/** The voice a text-to-speech model speaks in when a request names none (null: it needs a clip or a voice name). */
export type DefaultVoiceOf = (model: InstalledTtsModel) => Promise<string | undefined>;

/** A model as listed; under an alias (`tts-1`), the entry is named for the alias and says which model it stands for. */
async function describe(model: InstalledModel, pool: ModelPool, created: number, defaultVoiceOf: DefaultVoiceOf, alias?: string): Promise<ModelEntry> {
  return {
    id: alias ?? model.id,
    object: 'model' as const,
    created,
    owned_by: 'vocable',
    ...(alias !== undefined ? { alias_for: model.id } : {}),
    ...pool.state(model.id),
    capabilities: model.capabilities.task === 'tts' ? { ...model.capabilities, default_voice: (await defaultVoiceOf(model as InstalledTtsModel)) ?? null } : model.capabilities,
  };
}

/**
 * `GET /v1/models` and `GET /v1/models/{id}`: OpenAI's list shape plus each model's capabilities,
 * loaded state and memory; `POST /v1/models/{id}/load` and `/unload` for operators.
 */
export function modelRoutes(pool: ModelPool, startedAt: number, defaultVoiceOf: DefaultVoiceOf) {
  return async (app: FastifyInstance): Promise<void> => {
    const created = Math.floor(startedAt / 1000);
    const listed = (model: InstalledModel, alias?: string) => describe(model, pool, created, defaultVoiceOf, alias);
    app.get('/v1/models', async (): Promise<ListOf<ModelEntry>> => ({
      object: 'list',
      data: await Promise.all([...pool.list().map((m) => listed(m)), ...pool.listAliases().map(({ alias, target }) => listed(pool.get(target), alias))]),
    }));
    app.get<{ Params: { id: string } }>('/v1/models/:id', async (request) => {
      const model = pool.get(request.params.id);
      return listed(model, model.id === request.params.id ? undefined : request.params.id);
    });
    app.post<{ Params: { id: string } }>('/v1/models/:id/load', async (request) => {
      await pool.load(request.params.id);
      return listed(pool.get(request.params.id));
    });
    app.post<{ Params: { id: string } }>('/v1/models/:id/unload', async (request) => {
      pool.unload(request.params.id);
      return listed(pool.get(request.params.id));
    });
  };
}
