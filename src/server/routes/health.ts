import type { FastifyInstance } from 'fastify';
import { PUBLIC_ROUTE } from '../auth.js';
import type { ModelPool } from '../../engine/model-pool.js';
import { VocableError } from '../../errors.js';
import { describeProgress, type ModelInstaller } from '../../pull/model-installer.js';
import type { VoiceStoreHealth } from '../../voices/voice-store.js';

export interface Readiness {
  voiceStore(): VoiceStoreHealth;
  /** True once the server is shutting down. */
  draining(): boolean;
}

/** Why no model can serve yet: pulls under way, or nothing installed. */
function notReady(installer: ModelInstaller, modelsDir: string): VocableError {
  const pulling = installer.catalogue.list().flatMap((entry) => {
    const pull = installer.progress(entry.id);
    return pull.pulling ? [`${entry.id} (${describeProgress(pull.progress)})`] : [];
  });
  const message =
    pulling.length > 0
      ? `No model is ready yet: models still being pulled: ${pulling.join(', ')}.`
      : `No models installed in ${modelsDir}: pull one (\`vocable pull <id>\` or POST /v1/models/pull) or put a model folder in ${modelsDir}.`;
  return new VocableError('not_ready', message);
}

const DRAINING = new VocableError('draining', 'This server is shutting down: it finishes the requests in flight and takes no new ones. Send requests to another replica.');

/**
 * `GET /health` is liveness: it answers as soon as the server listens. `GET /ready` is readiness:
 * 200 once at least one model is installed and usable, 503 once shutting down; it reports the
 * voice store but does not fail on it: every replica shares that store, so failing readiness
 * with it would take them all out of a balancer at once, stopping the preset voices and
 * transcription that need no store. Both are open, for probes without the key.
 */
export function healthRoutes(pool: ModelPool, installer: ModelInstaller, modelsDir: string, readiness: Readiness) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/health', PUBLIC_ROUTE, async () => ({ status: 'ok' }));
    app.get('/ready', PUBLIC_ROUTE, async (_request, reply) => {
      // Sent rather than thrown: a probe polling a server that is not ready would otherwise log a warning each time.
      if (readiness.draining()) return reply.status(503).send(DRAINING.toBody());
      const models = pool.list().length;
      if (models > 0) return { status: 'ready', models, voice_store: readiness.voiceStore() };
      return reply.status(503).send(notReady(installer, modelsDir).toBody());
    });
  };
}
