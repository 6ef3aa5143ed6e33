import type { FastifyBaseLogger } from 'fastify';
import { DEFAULT_MODEL_IDS, loadCatalogue } from '../catalogue/catalogue.js';
import { resolveConfig, type Config } from '../config.js';
import { discoverModels, type Discovery } from '../engine/discovery.js';
import { describeProgress, type ModelInstaller } from '../pull/model-installer.js';
import { buildApp } from '../server/app.js';

const isEmpty = (discovery: Discovery) => discovery.models.length === 0 && discovery.broken.length === 0 && discovery.vadModel === undefined;

/**
 * First start with an empty models folder: pull the default models one by one, logging progress
 * every 10%. The server is already listening; until a model lands, asking for it is a 503 that
 * says it is downloading, or why its pull failed.
 */
async function pullDefaults(installer: ModelInstaller, log: FastifyBaseLogger): Promise<void> {
  log.info(`the models folder is empty: pulling the defaults (${DEFAULT_MODEL_IDS.join(', ')}); start with --offline to skip this`);
  for (const id of DEFAULT_MODEL_IDS) {
    let lastDecile = -1;
    try {
      const outcome = await installer.pull(id, (progress) => {
        const decile = progress.phase === 'download' && progress.totalBytes ? Math.floor((10 * progress.receivedBytes) / progress.totalBytes) : lastDecile;
        if (progress.phase !== 'download' || decile !== lastDecile) log.info(`pull ${id}: ${describeProgress(progress)}`);
        lastDecile = decile;
      });
      log.info(`pull ${id}: ${outcome}`);
    } catch (error) {
      log.error(`pull ${id} failed: ${(error as Error).message}`);
    }
  }
}

/** Starts the HTTP server on the configured host and port; resolves once it listens. */
export async function serve(flags: Partial<Record<keyof Config, unknown>>): Promise<void> {
  const config = resolveConfig(flags);
  const [discovery, catalogue] = await Promise.all([discoverModels(config.modelsDir), loadCatalogue(config.catalogue)]);
  const { app, pool, installer } = buildApp(config, discovery, { catalogue });
  const ids = pool.list().map((m) => `${m.id} (${m.family.displayName})`);
  app.log.info(`models in ${config.modelsDir}: ${ids.length > 0 ? ids.join(', ') : 'none — pull some (vocable pull <id>) or put model folders there (see README)'}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info(`${signal}: closing`);
      void app.close().then(() => process.exit(0));
    });
  }
  await app.listen({ host: config.host, port: config.port });
  if (config.apiKey) app.log.info('API key required on /v1 routes');
  if (isEmpty(discovery) && !config.offline) void pullDefaults(installer, app.log);
}
