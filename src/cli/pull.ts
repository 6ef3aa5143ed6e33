import { join } from 'node:path';
import { loadCatalogue } from '../catalogue/catalogue.js';
import { resolveConfig, type Config } from '../config.js';
import { pullModel } from '../pull/pull-model.js';
import { PullProgressBar } from './pull-progress-bar.js';

/** `vocable pull <id...>`: downloads catalogue models into the models folder, one after another. */
export async function pullCommand(ids: string[], flags: Partial<Record<keyof Config, unknown>>): Promise<void> {
  const config = resolveConfig(flags);
  const catalogue = await loadCatalogue(config.catalogue);
  const entries = ids.map((id) => catalogue.require(id));
  for (const entry of entries) {
    const bar = new PullProgressBar(entry.id);
    let outcome;
    try {
      outcome = await pullModel(entry, config.modelsDir, { onProgress: (progress) => bar.update(progress) });
    } finally {
      bar.stop();
    }
    console.log(outcome === 'installed' ? `${entry.id}: installed in ${join(config.modelsDir, entry.id)}` : `${entry.id}: already installed`);
  }
}
