import type { MonoAudio } from './pcm.js';
import { ownedBytes, runInWorker, taskModule } from './worker-pool.js';

const DECODE_TASK = taskModule(import.meta.url, './decode-task');

/**
 * `decodeAudio` in the audio worker pool: tens of milliseconds for half a minute of audio, kept
 * off the event loop. The bytes are moved there when they own their memory (else copied first),
 * so the caller must not use them afterwards.
 */
export function decodeAudioOffThread(bytes: Uint8Array): Promise<MonoAudio> {
  const moved = ownedBytes(bytes);
  return runInWorker<MonoAudio>(DECODE_TASK, 'decodeFile', moved, [moved.buffer]);
}
