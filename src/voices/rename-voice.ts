import type { ModelPool } from '../engine/model-pool.js';
import { ConflictError } from '../errors.js';
import { checkVoiceName, type SavedVoice } from './saved-voice.js';
import { VoiceExistsError, type VoiceStore } from './voice-store.js';

/**
 * Gives a saved voice a new name: saved under the new name first, then removed under the old,
 * so a failure on the way never loses the voice. `undefined` when no voice has the old name.
 */
export async function renameVoice(store: VoiceStore, pool: ModelPool, from: string, newName: unknown): Promise<SavedVoice | undefined> {
  const to = checkVoiceName(newName);
  if (to === from) return store.get(from);
  const owner = pool.list().find((m) => m.task === 'tts' && m.capabilities.voices.includes(to))?.id;
  if (owner) throw new ConflictError(`'${to}' is a preset voice of model '${owner}'; saved voices may not shadow presets. Pick another name.`, 'name', 'voice_exists');
  const [voice, audio] = await Promise.all([store.get(from), store.audio(from)]);
  if (!voice || !audio) return undefined;
  const renamed: SavedVoice = { ...voice, id: to };
  try {
    await store.create(renamed, audio);
  } catch (error) {
    if (error instanceof VoiceExistsError) throw new ConflictError(`A voice named '${to}' already exists; delete it first (vocable voices rm ${to}, or DELETE /v1/voices/${to}) or pick another name.`, 'name', 'voice_exists');
    throw error;
  }
  await store.delete(from);
  return renamed;
}
