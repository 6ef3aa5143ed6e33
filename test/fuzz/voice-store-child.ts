/**
 * A process that runs one voice-store operation and freezes at a chosen write step, so the test
 * can kill -9 it there: `voice-store-child.ts <dataDir> <create|update|delete> <step> <before|half>`.
 * Step n is the n-th file-system write (mkdir, writeFile, rename, rm); `half` writes half of a
 * file's bytes first, as a crash mid-write would leave it. It prints `paused <step> <call>` when
 * frozen, or `done` when the operation ended before that step.
 */
import * as fs from 'node:fs/promises';
import { FileVoiceStore, type VoiceFs } from '../../src/voices/file-voice-store.js';
import { tone } from '../helpers/audio.js';
import type { SavedVoice } from '../../src/voices/saved-voice.js';

const [dataDir, operation, stepArg, mode] = process.argv.slice(2) as [string, string, string, 'before' | 'half'];
const stopAt = Number(stepArg);
let step = 0;

function freeze(call: string): Promise<never> {
  process.stdout.write(`paused ${step} ${call}\n`);
  setInterval(() => undefined, 60_000);
  return new Promise<never>(() => undefined);
}

const WRITES = new Set(['mkdir', 'writeFile', 'rename', 'rm']);

/** node:fs/promises, counting writes and freezing at step `stopAt`. */
const steppingFs = new Proxy(fs, {
  get(target, key: string) {
    const real = (target as Record<string, unknown>)[key];
    if (typeof real !== 'function' || !WRITES.has(key)) return real;
    return async (...args: unknown[]) => {
      // The store's start-up cleanup runs before the operation: only the operation's writes count.
      if (!started) return (real as (...a: unknown[]) => unknown)(...args);
      step += 1;
      if (step === stopAt) {
        if (mode === 'half' && key === 'writeFile') {
          const data = args[1] as string | Uint8Array;
          const bytes = typeof data === 'string' ? Buffer.from(data) : data;
          await fs.writeFile(args[0] as string, bytes.subarray(0, Math.floor(bytes.length / 2)));
        }
        return freeze(`${key} ${String(args[0])}`);
      }
      return (real as (...a: unknown[]) => unknown)(...args);
    };
  },
}) as VoiceFs;

let started = false;
const store = new FileVoiceStore(dataDir, steppingFs);
await store.list();
started = true;
const voice: SavedVoice = { id: 'target', object: 'voice', created_at: 1, transcript: 'new words', model: null, sample_rate: 24000, duration_seconds: 1 };
if (operation === 'create') await store.create(voice, tone(1, 24000));
if (operation === 'update') await store.update('target', { transcript: 'new words' });
if (operation === 'delete') await store.delete('target');
process.stdout.write('done\n');
