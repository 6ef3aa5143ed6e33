import { createReadStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import unbzip2Stream from 'unbzip2-stream';
import { DownloadError } from '../errors.js';

export type ArchiveFormat = 'tar.bz2' | 'tar.gz';

/**
 * Unpacks a tar.bz2 or tar.gz archive into `destDir` (created). node-tar refuses absolute paths,
 * `..` and links that would write outside `destDir`, so a hostile archive stays contained.
 */
export async function unpackArchive(archive: string, format: ArchiveFormat, destDir: string): Promise<void> {
  await mkdir(destDir, { recursive: true });
  const extract = tar.x({ cwd: destDir, strict: true });
  try {
    if (format === 'tar.bz2') await pipeline(createReadStream(archive), unbzip2Stream(), extract);
    else await pipeline(createReadStream(archive), extract);
  } catch (error) {
    throw new DownloadError(`The downloaded archive cannot be unpacked as ${format}: ${(error as Error).message}.`, 'bad_archive');
  }
}

/** The folder that holds an unpacked model: the archive's single top folder, or `dir` itself. */
export async function modelRoot(dir: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  const only = entries.length === 1 ? entries[0] : undefined;
  return only?.isDirectory() ? join(dir, only.name) : dir;
}
