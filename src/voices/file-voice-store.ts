import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { decodeAudioOffThread } from '../audio/decode-off-thread.js';
import type { MonoAudio } from '../audio/pcm.js';
import { encodeWav } from '../audio/wav.js';
import { InsufficientStorageError } from '../errors.js';
import type { SavedVoice } from './saved-voice.js';
import { VoiceExistsError, type VoiceStore } from './voice-store.js';

const META = 'voice.json';
const CLIP = 'clip.wav';
/** Work in progress: staged voices and deleted ones on their way out; never listed. */
const SCRATCH_PREFIX = '.';

/** The file operations the store uses: node:fs/promises, or a test double (a disk that fills up). */
export type VoiceFs = Pick<typeof nodeFs, 'mkdir' | 'readdir' | 'readFile' | 'rename' | 'rm' | 'writeFile'>;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** A write that failed for want of space becomes a 507 that says so; other errors pass as they are. */
function storageError(error: unknown, what: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new InsufficientStorageError(`The server's disk is full: ${what} was not saved. Free space in the data directory and try again.`) : error;
}

/**
 * Saved voices as folders `<dataDir>/voices/<name>/` holding voice.json and clip.wav. A voice
 * is written whole into a hidden staging folder and renamed into place, so a crash leaves no
 * half voice, and of two saves of one name the second rename fails: one wins, one gets 409.
 */
export class FileVoiceStore implements VoiceStore {
  private readonly root: string;
  private readonly ready: Promise<void>;
  /** The last queued write per voice name: writes to one voice run one after another. */
  private readonly writes = new Map<string, Promise<unknown>>();

  constructor(dataDir: string, private readonly fs: VoiceFs = nodeFs) {
    this.root = join(dataDir, 'voices');
    this.ready = this.prepare();
    this.ready.catch(() => undefined);
  }

  /**
   * Creates the folder and clears what a crash may have left half-written: staged and deleted
   * voices beside the voices, and an edit's temp file inside a voice's folder.
   */
  private async prepare(): Promise<void> {
    await this.fs.mkdir(this.root, { recursive: true });
    for (const entry of await this.fs.readdir(this.root, { withFileTypes: true })) {
      const path = join(this.root, entry.name);
      if (entry.name.startsWith(SCRATCH_PREFIX)) await this.fs.rm(path, { recursive: true, force: true });
      else if (entry.isDirectory()) await this.clearScratch(path);
    }
  }

  private async clearScratch(voiceDir: string): Promise<void> {
    for (const name of await this.fs.readdir(voiceDir)) {
      if (name.startsWith(SCRATCH_PREFIX)) await this.fs.rm(join(voiceDir, name), { recursive: true, force: true });
    }
  }

  async list(): Promise<SavedVoice[]> {
    await this.ready;
    const names = (await this.fs.readdir(this.root)).filter((n) => !n.startsWith(SCRATCH_PREFIX)).sort();
    const voices = await Promise.all(names.map((n) => this.get(n)));
    return voices.filter((v): v is SavedVoice => v !== undefined);
  }

  async get(name: string): Promise<SavedVoice | undefined> {
    await this.ready;
    try {
      return JSON.parse(await this.fs.readFile(join(this.root, name, META), 'utf8')) as SavedVoice;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async audio(name: string): Promise<MonoAudio | undefined> {
    await this.ready;
    try {
      return await decodeAudioOffThread(await this.fs.readFile(join(this.root, name, CLIP)));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /**
   * Runs `write` once the writes already queued for voice `name` have ended, so an edit never
   * lands on a voice deleted (or deleted and saved anew) since it was read.
   */
  private serialised<T>(name: string, write: () => Promise<T>): Promise<T> {
    const queued = this.writes.get(name) ?? Promise.resolve();
    const run = queued.then(write, write);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.writes.set(name, settled);
    void settled.then(() => {
      if (this.writes.get(name) === settled) this.writes.delete(name);
    });
    return run;
  }

  async create(voice: SavedVoice, audio: MonoAudio): Promise<void> {
    await this.ready;
    return this.serialised(voice.id, () => this.createNow(voice, audio));
  }

  private async createNow(voice: SavedVoice, audio: MonoAudio): Promise<void> {
    const staging = this.scratch(voice.id);
    try {
      await this.fs.mkdir(staging);
      await this.fs.writeFile(join(staging, CLIP), encodeWav(audio), { flush: true });
      await this.fs.writeFile(join(staging, META), JSON.stringify(voice, null, 2), { flush: true });
      await this.fs.rename(staging, join(this.root, voice.id));
    } catch (error) {
      await this.fs.rm(staging, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTEMPTY') throw new VoiceExistsError(voice.id);
      throw storageError(error, `voice '${voice.id}'`);
    }
  }

  async update(name: string, change: { transcript: string | null }): Promise<SavedVoice | undefined> {
    await this.ready;
    return this.serialised(name, () => this.updateNow(name, change));
  }

  private async updateNow(name: string, change: { transcript: string | null }): Promise<SavedVoice | undefined> {
    const voice = await this.get(name);
    if (!voice) return undefined;
    const updated = { ...voice, ...change };
    const temp = join(this.root, name, `${SCRATCH_PREFIX}${META}.${randomBytes(6).toString('hex')}`);
    try {
      await this.fs.writeFile(temp, JSON.stringify(updated, null, 2), { flush: true });
      await this.fs.rename(temp, join(this.root, name, META));
    } catch (error) {
      await this.fs.rm(temp, { force: true });
      // The voice went away under the edit (another process sharing the folder deleted it).
      if (isMissing(error)) return undefined;
      throw storageError(error, `the change to voice '${name}'`);
    }
    return updated;
  }

  async delete(name: string): Promise<boolean> {
    await this.ready;
    return this.serialised(name, () => this.deleteNow(name));
  }

  private async deleteNow(name: string): Promise<boolean> {
    const doomed = this.scratch(name);
    try {
      await this.fs.rename(join(this.root, name), doomed);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    await this.fs.rm(doomed, { recursive: true, force: true });
    return true;
  }

  private scratch(name: string): string {
    return join(this.root, `${SCRATCH_PREFIX}${name}.${randomBytes(6).toString('hex')}`);
  }
}
