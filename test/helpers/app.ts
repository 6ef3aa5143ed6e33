import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import { discoverModels } from '../../src/engine/discovery.js';
import { buildApp, type App } from '../../src/server/app.js';

/** The real app over `modelsDir`, for `inject()` or `listen()`; logs silenced. */
export async function testApp(modelsDir: string, overrides: Partial<Config> = {}): Promise<App> {
  const config: Config = { ...DEFAULT_CONFIG, logLevel: 'silent', numThreads: 1, modelsDir, ...overrides };
  return buildApp(config, await discoverModels(modelsDir));
}
