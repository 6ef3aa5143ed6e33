import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DownloadError, InsufficientStorageError } from '../errors.js';
import { runInThread } from '../workers/run-in-thread.js';
import type { ArchiveFormat, UnpackOutcome, UnpackTaskArgs } from './unpack-task.js';

export type { ArchiveFormat } from './unpack-task.js';

export interface UnpackLimits {
  maxBytes: number;
  maxEntries: number;
  /** Why maxBytes is what it is, said when an archive passes it. */
  explainMaxBytes: string;
  /** True when maxBytes is the disk's free space: passing it is a full disk, not a bad archive. */
  diskBound: boolean;
}

/**
 * Unpacks a tar.bz2 or tar.gz archive into `destDir` (created) in a worker thread, so the event
 * loop keeps serving. Links, devices, FIFOs, absolute and `..` paths, and archives that unpack
 * past `limits` are refused (bad_archive) with what was found; `destDir` then holds what was
 * unpacked before the stop, for the caller to remove.
 */
export async function unpackArchive(archive: string, format: ArchiveFormat, destDir: string, limits: UnpackLimits, signal?: AbortSignal): Promise<void> {
  const args: UnpackTaskArgs = { archive, format, destDir, maxBytes: limits.maxBytes, maxEntries: limits.maxEntries };
  const outcome = await runInThread<UnpackOutcome>(import.meta.url, 'unpack-task', 'unpackTask', args, signal);
  if (outcome.ok) return;
  if (outcome.kind === 'tooLarge' && limits.diskBound) {
    throw new InsufficientStorageError(`Unpacking the model stopped at ${limits.explainMaxBytes}; nothing was installed. Free space on the disk that holds the models folder and pull again.`);
  }
  const why = outcome.kind === 'tooLarge' ? `${outcome.reason} ${limits.explainMaxBytes}` : outcome.reason;
  const what = outcome.kind === 'refused' ? '; a model archive holds only files and folders inside its own folder' : '';
  throw new DownloadError(`The downloaded archive ${why}${what}. Nothing was installed.`, 'bad_archive');
}

/** The folder that holds an unpacked model: the archive's single top folder, or `dir` itself. */
export async function modelRoot(dir: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  const only = entries.length === 1 ? entries[0] : undefined;
  return only?.isDirectory() ? join(dir, only.name) : dir;
}
