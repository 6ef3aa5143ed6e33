import type { FastifyInstance } from 'fastify';
import type { InstalledModel } from '../../engine/discovery.js';
import type { ModelPool } from '../../engine/model-pool.js';

function describe(model: InstalledModel, pool: ModelPool, created: number) {
  return {
    id: model.id,
    object: 'model' as const,
    created,
    owned_by: 'vocable',
    ...pool.state(model.id),
    capabilities: model.capabilities,
  };
}

/**
 * `GET /v1/models` and `GET /v1/models/{id}`: OpenAI's list shape plus each model's capabilities,
 * loaded state and memory; `POST /v1/models/{id}/load` and `/unload` for operators.
 */
export function modelRoutes(pool: ModelPool, startedAt: number) {
  return async (app: FastifyInstance): Promise<void> => {
    const created = Math.floor(startedAt / 1000);
    app.get('/v1/models', async () => ({ object: 'list', data: pool.list().map((m) => describe(m, pool, created)) }));
    app.get<{ Params: { id: string } }>('/v1/models/:id', async (request) => describe(pool.get(request.params.id), pool, created));
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
