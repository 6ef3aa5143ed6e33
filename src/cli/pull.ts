import { join } from 'node:path';
import { loadCatalogue } from '../catalogue/catalogue.js';
import { VoicePacks } from '../catalogue/voice-packs.js';
import { resolveConfig, type Config } from '../config.js';
import { pullModel } from '../pull/pull-model.js';
import { pullVoicePack } from '../pull/pull-voice-pack.js';
import { openVoiceStore } from '../voices/open-voice-store.js';
import { PullProgressBar } from './pull-progress-bar.js';

/**
 * `vocable pull <id...>`: downloads catalogue models into the models folder, and voice packs
 * into the saved voices, one after another.
 */
export async function pullCommand(ids: string[], flags: Partial<Record<keyof Config, unknown>>): Promise<void> {
  const config = resolveConfig(flags);
  const catalogue = await loadCatalogue(config.catalogue);
  const packs = new VoicePacks();
  const wanted = ids.map((id) => packs.find(id) ?? catalogue.require(id));
  for (const item of wanted) {
    const bar = new PullProgressBar(item.id);
    let outcome;
    let where: string;
    try {
      if ('voices' in item) {
        const voices = openVoiceStore(config);
        try {
          outcome = await pullVoicePack(item, voices.store, { downloadsDir: join(config.modelsDir, '.downloads'), onProgress: (progress) => bar.update(progress) });
        } finally {
          await voices.close();
        }
        where = `as saved voices ${item.voices.map((v) => v.name).join(', ')}`;
      } else {
        outcome = await pullModel(item, config.modelsDir, { onProgress: (progress) => bar.update(progress) });
        where = `in ${join(config.modelsDir, item.id)}`;
      }
    } finally {
      bar.stop();
    }
    console.log(outcome === 'installed' ? `${item.id}: installed ${where}` : `${item.id}: already installed`);
  }
}
