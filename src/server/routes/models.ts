import type { FastifyInstance } from 'fastify';
import type { InstalledModel } from '../../engine/discovery.js';
import type { ModelPool } from '../../engine/model-pool.js';
import type { ListOf, ModelEntry } from '../../wire/models.js';

/** A model as listed; under an alias (`tts-1`), the entry is named for the alias and says which model it stands for. */
function describe(model: InstalledModel, pool: ModelPool, created: number, alias?: string): ModelEntry {
  return {
    id: alias ?? model.id,
    object: 'model' as const,
    created,
    owned_by: 'vocable',
    ...(alias !== undefined ? { alias_for: model.id } : {}),
    ...pool.state(model.id),
    capabilities: model.capabilities,
  };
}

/** Model `id` as asked for: an installed model, or an alias of one. */
function describeNamed(id: string, pool: ModelPool, created: number): ModelEntry {
  const model = pool.get(id);
  return describe(model, pool, created, model.id === id ? undefined : id);
}

/**
 * `GET /v1/models` and `GET /v1/models/{id}`: OpenAI's list shape plus each model's capabilities,
 * loaded state and memory; `POST /v1/models/{id}/load` and `/unload` for operators.
 */
export function modelRoutes(pool: ModelPool, startedAt: number) {
  return async (app: FastifyInstance): Promise<void> => {
    const created = Math.floor(startedAt / 1000);
    app.get('/v1/models', async (): Promise<ListOf<ModelEntry>> => ({
      object: 'list',
      data: [...pool.list().map((m) => describe(m, pool, created)), ...pool.listAliases().map(({ alias, target }) => describe(pool.get(target), pool, created, alias))],
    }));
    app.get<{ Params: { id: string } }>('/v1/models/:id', async (request) => describeNamed(request.params.id, pool, created));
    app.post<{ Params: { id: string } }>('/v1/models/:id/load', async (request) => {
      await pool.load(request.params.id);
      return describe(pool.get(request.params.id), pool, created);
    });
    app.post<{ Params: { id: string } }>('/v1/models/:id/unload', async (request) => {
      pool.unload(request.params.id);
      return describe(pool.get(request.params.id), pool, created);
    });
  };
}
