import type { FastifyInstance } from 'fastify';
import type { InstalledModel } from '../../engine/discovery.js';
import type { ModelPool } from '../../engine/model-pool.js';

function describe(model: InstalledModel, pool: ModelPool, created: number) {
  return {
    id: model.id,
    object: 'model' as const,
    created,
    owned_by: 'vocable',
    loaded: pool.isLoaded(model.id),
    capabilities: model.capabilities,
  };
}

/** `GET /v1/models` and `GET /v1/models/{id}`: OpenAI's list shape plus each model's capabilities. */
export function modelRoutes(pool: ModelPool, startedAt: number) {
  return async (app: FastifyInstance): Promise<void> => {
    const created = Math.floor(startedAt / 1000);
    app.get('/v1/models', async () => ({ object: 'list', data: pool.list().map((m) => describe(m, pool, created)) }));
    app.get<{ Params: { id: string } }>('/v1/models/:id', async (request) => describe(pool.get(request.params.id), pool, created));
  };
}
