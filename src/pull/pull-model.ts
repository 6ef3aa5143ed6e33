import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { urlFileName, type CatalogueEntry } from '../catalogue/catalogue-entry.js';
import { inspectModelFolder, VAD_FILE } from '../engine/discovery.js';
import { DownloadError, InsufficientStorageError } from '../errors.js';
import { downloadResumable, type DownloadProgress } from './download.js';
import { modelRoot, unpackArchive, type UnpackLimits } from './unpack.js';

export type PullProgress = ({ phase: 'download' } & DownloadProgress) | { phase: 'verify' | 'unpack' };

export interface PullOptions {
  signal?: AbortSignal;
  onProgress?: (progress: PullProgress) => void;
  /** The most any archive may unpack to; MAX_UNPACKED_BYTES by default. */
  maxUnpackedBytes?: number;
  /** The most entries (files and folders) an archive may hold; MAX_ARCHIVE_ENTRIES by default. */
  maxArchiveEntries?: number;
}

/** A model archive unpacks to at most this many times its download: weights barely compress, espeak-ng data about 4×. */
const UNPACK_RATIO = 10;
/** What any archive may unpack to, however small its download. */
const MIN_UNPACK_BYTES = 64 * 1024 * 1024;
/** No archive unpacks to more, whatever the catalogue says (the largest Whisper unpacks to under 4 GB). */
export const MAX_UNPACKED_BYTES = 16 * 1024 * 1024 * 1024;
/** Far more files than any model holds (espeak-ng-data has a few hundred). */
export const MAX_ARCHIVE_ENTRIES = 20_000;
/** Disk space a pull leaves free for everything else. */
const DISK_RESERVE_BYTES = 256 * 1024 * 1024;

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Free bytes on the disk holding `dir`, less the reserve. */
async function roomOn(dir: string): Promise<number> {
  const { bavail, bsize } = await statfs(dir);
  return bavail * bsize - DISK_RESERVE_BYTES;
}

/**
 * How far `entry`'s archive may unpack: a margin over the catalogue's size of its download, never
 * past the absolute cap, and never past the free disk.
 */
async function unpackLimits(entry: CatalogueEntry, root: string, options: PullOptions): Promise<UnpackLimits> {
  const cap = options.maxUnpackedBytes ?? MAX_UNPACKED_BYTES;
  const declared = entry.sizeBytes === undefined ? Infinity : Math.max(entry.sizeBytes * UNPACK_RATIO, MIN_UNPACK_BYTES);
  const room = await roomOn(root);
  const maxBytes = Math.max(0, Math.min(declared, cap, room));
  const explainMaxBytes =
    maxBytes === room ? `the ${mb(room)} the disk has free` : maxBytes === declared ? `${mb(declared)}, the most a ${mb(entry.sizeBytes!)} download may unpack to` : `${mb(cap)}, the most any model may unpack to`;
  return { maxBytes, maxEntries: options.maxArchiveEntries ?? MAX_ARCHIVE_ENTRIES, explainMaxBytes, diskBound: maxBytes === room };
}

/** Refuses a pull whose download alone would not fit the disk, before it starts. */
async function checkRoomFor(entry: CatalogueEntry, root: string): Promise<void> {
  const needed = (entry.sizeBytes ?? 0) + (entry.extraFiles ?? []).reduce((sum, extra) => sum + (extra.sizeBytes ?? 0), 0);
  const room = await roomOn(root);
  if (needed > room) {
    throw new InsufficientStorageError(`Model '${entry.id}' downloads ${mb(needed)}, but the disk holding the models folder has ${mb(Math.max(0, room))} to spare; free space and pull again.`);
  }
}

export type PullOutcome = 'installed' | 'already-installed';

/** Folder (under the models folder) where downloads wait, so an interrupted one can resume. */
const DOWNLOADS_FOLDER = '.downloads';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function handInstallHint(entry: CatalogueEntry, target: string): string {
  const what = entry.format === 'file' ? `put the file in the folder ${target}` : `unpack it, and put its folder at ${target}`;
  return ` If this machine is offline, install it by hand: fetch ${entry.url} where there is network, ${what}.`;
}

/** Something to download and check: the model's archive or file, or one of its extra files. */
export interface Artifact {
  url: string;
  sizeBytes?: number;
  sha256?: string;
}

/** Checks a download against the catalogue's size and SHA-256; a corrupt one is deleted, never resumed. */
async function verify(artifact: Artifact, part: string): Promise<void> {
  const size = (await stat(part)).size;
  if (artifact.sizeBytes !== undefined && size !== artifact.sizeBytes) {
    await rm(part, { force: true });
    throw new DownloadError(`The download of ${artifact.url} is ${size} bytes, but the catalogue says ${artifact.sizeBytes}; it was deleted. Pull again.`, 'checksum_mismatch');
  }
  if (artifact.sha256 === undefined) return;
  const actual = await sha256Of(part);
  if (actual !== artifact.sha256) {
    await rm(part, { force: true });
    throw new DownloadError(`The download of ${artifact.url} has SHA-256 ${actual}, but the catalogue says ${artifact.sha256}; it was deleted. Pull again, or check the mirror.`, 'checksum_mismatch');
  }
}

/** Downloads (resuming) and verifies `artifact` into `part`; a network failure says how to install by hand. */
export async function fetchVerified(artifact: Artifact, part: string, hint: string, options: PullOptions): Promise<void> {
  try {
    await downloadResumable(artifact.url, part, {
      expectedBytes: artifact.sizeBytes,
      signal: options.signal,
      onProgress: (progress) => options.onProgress?.({ phase: 'download', ...progress }),
    });
  } catch (error) {
    if (error instanceof DownloadError) throw new DownloadError(error.message + hint, error.code, error.resumable);
    throw error;
  }
  options.onProgress?.({ phase: 'verify' });
  await verify(artifact, part);
}

/** The name a download is saved under; a catalogue URL without one cannot be installed. */
function fileNameOf(url: string): string {
  const name = urlFileName(url);
  if (name === undefined) throw new DownloadError(`The catalogue gives ${url} as a file to download, but that URL names no file (its path ends in "/"); fix the catalogue entry.`, 'invalid_catalogue_entry');
  return name;
}

/** Refuses an unpacked folder that discovery would not take as the model the catalogue promised. */
async function checkUsable(entry: CatalogueEntry, folder: string): Promise<void> {
  if (entry.task === 'vad') {
    if (!(await exists(join(folder, VAD_FILE)))) throw new DownloadError(`${entry.url} did not give ${VAD_FILE}.`, 'bad_archive');
    return;
  }
  const found = await inspectModelFolder(entry.id, folder);
  if (!('task' in found)) throw new DownloadError(`The archive ${entry.url} does not hold a usable model: ${found.reason}.`, 'bad_archive');
  if (found.task !== entry.task) throw new DownloadError(`The archive ${entry.url} holds a ${found.family.displayName} model, not the ${entry.task} model the catalogue describes.`, 'bad_archive');
}

async function clearStaging(root: string, id: string): Promise<void> {
  for (const name of await readdir(root)) {
    if (name.startsWith(`.staging-${id}-`)) await rm(join(root, name), { recursive: true, force: true });
  }
}

/**
 * Downloads, verifies and installs catalogue model `entry` as `<modelsDir>/<id>`. The model
 * folder appears in one rename once it is whole and checked, so a failed or corrupt pull leaves
 * no half model behind; only an interrupted download's part file stays, to be resumed.
 */
export async function pullModel(entry: CatalogueEntry, modelsDir: string, options: PullOptions = {}): Promise<PullOutcome> {
  const root = resolve(modelsDir);
  const target = join(root, entry.id);
  // Every name is settled before anything is downloaded, so a bad entry leaves nothing behind.
  const fileName = entry.format === 'file' ? fileNameOf(entry.url) : `${entry.id}.${entry.format}`;
  const extras = (entry.extraFiles ?? []).map((extra) => ({ ...extra, fileName: fileNameOf(extra.url) }));
  if (await exists(target)) return 'already-installed';
  await mkdir(join(root, DOWNLOADS_FOLDER), { recursive: true });
  await clearStaging(root, entry.id);
  await checkRoomFor(entry, root);

  const downloads = join(root, DOWNLOADS_FOLDER);
  const hint = handInstallHint(entry, target);
  const part = join(downloads, `${fileName}.part`);
  await fetchVerified(entry, part, hint, options);
  const extraPart = (extra: (typeof extras)[number]) => join(downloads, `${entry.id}.${extra.fileName}.part`);
  try {
    for (const extra of extras) await fetchVerified(extra, extraPart(extra), hint, options);
  } catch (error) {
    // Only a download that can resume is worth keeping: without its extra files the model is no use.
    if (!(error instanceof DownloadError && error.resumable)) {
      for (const path of [part, ...extras.map(extraPart)]) await rm(path, { force: true });
    }
    throw error;
  }

  const staging = await mkdtemp(join(root, `.staging-${entry.id}-`));
  try {
    if (entry.format === 'file') {
      await rename(part, join(staging, fileName));
    } else {
      options.onProgress?.({ phase: 'unpack' });
      await unpackArchive(part, entry.format, staging, await unpackLimits(entry, root, options), options.signal);
    }
    const folder = await modelRoot(staging);
    for (const extra of extras) await rename(extraPart(extra), join(folder, extra.fileName));
    await checkUsable(entry, folder);
    if (await exists(target)) return 'already-installed';
    await rename(folder, target);
    await rm(part, { force: true });
    return 'installed';
  } catch (error) {
    // A whole download that will not unpack into a model is no use to resume.
    for (const path of [part, ...extras.map(extraPart)]) await rm(path, { force: true });
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
