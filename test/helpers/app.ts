import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import { discoverModels } from '../../src/engine/discovery.js';
import { buildApp, type App, type AppOptions } from '../../src/server/app.js';

/**
 * The real app over `modelsDir`, for `inject()` or `listen()`; logs silenced, saved voices in a
 * fresh temporary data folder (removed when the app closes) unless `dataDir` is given.
 */
export async function testApp(modelsDir: string, overrides: Partial<Config> = {}, options: AppOptions = {}): Promise<App> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'vocable-data-')));
  const config: Config = { ...DEFAULT_CONFIG, logLevel: 'silent', numThreads: 1, modelsDir, ...overrides, dataDir };
  const app = buildApp(config, await discoverModels(modelsDir), options);
  if (!overrides.dataDir) app.app.addHook('onClose', async () => rm(dataDir, { recursive: true, force: true }));
  return app;
}
