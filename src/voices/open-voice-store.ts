import { FileVoiceStore } from './file-voice-store.js';
import { PgVoiceStore, type StoreLogger } from './pg-voice-store.js';
import type { VoiceStore, VoiceStoreHealth } from './voice-store.js';

export interface OpenedVoiceStore {
  store: VoiceStore;
  health(): VoiceStoreHealth;
  close(): Promise<void>;
}

/** The store the settings name: PostgreSQL when a URL is given (shared by replicas), else files in the data directory. */
export function openVoiceStore(settings: { voiceStore?: string; dataDir: string }, logger?: StoreLogger): OpenedVoiceStore {
  if (settings.voiceStore) {
    const store = new PgVoiceStore(settings.voiceStore, { logger });
    return { store, health: () => store.health(), close: () => store.close() };
  }
  return { store: new FileVoiceStore(settings.dataDir), health: () => ({ type: 'file', status: 'ok' }), close: async () => undefined };
}
