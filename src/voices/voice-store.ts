import type { MonoAudio } from '../audio/pcm.js';
import { VocableError } from '../errors.js';
import type { SavedVoice } from './saved-voice.js';

export class VoiceExistsError extends VocableError {
  constructor(name: string) {
    super('voice_exists', `A voice named '${name}' was saved at the same moment; this save lost. Pick another name.`, 'name');
  }
}

/**
 * Where saved voices live: files on disk by default (FileVoiceStore), or PostgreSQL
 * (PgVoiceStore), which replicas behind a load balancer share.
 */
export interface VoiceStore {
  list(): Promise<SavedVoice[]>;
  get(name: string): Promise<SavedVoice | undefined>;
  /** The voice's normalised clip. */
  audio(name: string): Promise<MonoAudio | undefined>;
  /** Stores a new voice whole or not at all; VoiceExistsError when the name is taken. */
  create(voice: SavedVoice, audio: MonoAudio): Promise<void>;
  update(name: string, change: { transcript: string | null }): Promise<SavedVoice | undefined>;
  delete(name: string): Promise<boolean>;
}

/** What /ready says about the store. */
export interface VoiceStoreHealth {
  type: 'file' | 'postgres';
  status: 'ok' | 'unavailable';
  /** Why it is unavailable. */
  message?: string;
}
