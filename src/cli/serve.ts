import { resolveConfig, type Config } from '../config.js';
import { discoverModels } from '../engine/discovery.js';
import { buildApp } from '../server/app.js';

/** Starts the HTTP server on the configured host and port; resolves once it listens. */
export async function serve(flags: Partial<Record<keyof Config, unknown>>): Promise<void> {
  const config = resolveConfig(flags);
  const discovery = await discoverModels(config.modelsDir);
  const { app, pool } = buildApp(config, discovery);
  const ids = pool.list().map((m) => `${m.id} (${m.family.displayName})`);
  app.log.info(`models in ${config.modelsDir}: ${ids.length > 0 ? ids.join(', ') : 'none — put model folders there (see README)'}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info(`${signal}: closing`);
      void app.close().then(() => process.exit(0));
    });
  }
  await app.listen({ host: config.host, port: config.port });
  if (config.apiKey) app.log.info('API key required on /v1 routes');
}
