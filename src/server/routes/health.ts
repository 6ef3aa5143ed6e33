import type { FastifyInstance } from 'fastify';
import { PUBLIC_ROUTE } from '../auth.js';
import type { ModelPool } from '../../engine/model-pool.js';
import { ApiError } from '../../errors.js';
import { describeProgress, type ModelInstaller } from '../../pull/model-installer.js';

/** Why no model can serve yet: pulls under way, or nothing installed. */
function notReady(installer: ModelInstaller, modelsDir: string): ApiError {
  const pulling = installer.catalogue.list().flatMap((entry) => {
    const pull = installer.progress(entry.id);
    return pull.pulling ? [`${entry.id} (${describeProgress(pull.progress)})`] : [];
  });
  const message =
    pulling.length > 0
      ? `No model is ready yet: models still being pulled: ${pulling.join(', ')}.`
      : `No models installed in ${modelsDir}: pull one (\`vocable pull <id>\` or POST /v1/models/pull) or put a model folder in ${modelsDir}.`;
  return new ApiError(503, message, 'service_unavailable', 'not_ready');
}

/**
 * `GET /health` is liveness: it answers as soon as the server listens. `GET /ready` is readiness:
 * 200 once at least one model is installed and usable. Both are open, for probes without the key.
 */
export function healthRoutes(pool: ModelPool, installer: ModelInstaller, modelsDir: string) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/health', PUBLIC_ROUTE, async () => ({ status: 'ok' }));
    app.get('/ready', PUBLIC_ROUTE, async (_request, reply) => {
      const models = pool.list().length;
      if (models > 0) return { status: 'ready', models };
      // Sent rather than thrown: a probe polling an empty server would otherwise log a warning each time.
      return reply.status(503).send(notReady(installer, modelsDir).toBody());
    });
  };
}
