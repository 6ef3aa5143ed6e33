import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { InvalidRequestError, PayloadTooLargeError, PermissionError } from '../errors.js';

const PARAM = 'ref_audio';

/**
 * Reads a `ref_audio` given as a server-local path: only when the operator named an allowed
 * folder, and only a file whose real path (links and `..` resolved) lies inside that folder.
 */
export async function readReferenceFile(path: string, allowedDir: string | undefined, maxBytes: number): Promise<Buffer> {
  if (!allowedDir) {
    throw new InvalidRequestError(
      'ref_audio looks like a file path; this server takes base64 audio only (its operator can allow a folder of clips with --ref-audio-dir)',
      PARAM,
      'paths_not_allowed',
    );
  }
  const root = await realpath(allowedDir);
  let real: string;
  try {
    real = await realpath(resolve(root, path.trim()));
  } catch {
    throw new InvalidRequestError(`ref_audio names no file in the allowed folder: ${path}`, PARAM, 'file_not_found');
  }
  assertInside(root, real);
  // Checked before opening, as opening a FIFO waits for a writer (holding one of libuv's few
  // threads); the open itself neither blocks nor follows a link swapped in since the check.
  const file = await openRegular(real, path);
  try {
    // A folder swapped for a link between the check and the open would escape: check what was opened.
    assertInside(root, (await openedPath(file.fd)) ?? real);
    const info = await file.stat();
    refuseSpecial(info, path);
    if (info.size > maxBytes) throw tooLarge(info.size, maxBytes);
    return await readAtMost(file, maxBytes);
  } finally {
    await file.close();
  }
}

async function openRegular(real: string, path: string): Promise<FileHandle> {
  try {
    refuseSpecial(await lstat(real), path);
    return await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    // Gone, or swapped for a link, since its real path was resolved.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENXIO') throw new InvalidRequestError(`ref_audio names no regular file in the allowed folder: ${path}`, PARAM, 'file_not_found');
    throw error;
  }
}

function refuseSpecial(info: Stats, path: string): void {
  if (!info.isFile()) {
    throw new InvalidRequestError(`ref_audio is not a regular file (it is a ${kindOf(info)}): ${path}`, PARAM, 'not_a_regular_file');
  }
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'folder';
  if (info.isFIFO()) return 'named pipe';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'device';
  return 'special file';
}

const tooLarge = (bytes: number, maxBytes: number) =>
  new PayloadTooLargeError(`ref_audio is ${(bytes / 1048576).toFixed(1)} MB; the limit is ${(maxBytes / 1048576).toFixed(1)} MB`, PARAM);

/** The file's bytes, refusing it once more than `maxBytes` arrive (a file may grow after its size was read). */
async function readAtMost(file: FileHandle, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024);
    const { bytesRead } = await file.read(chunk, 0, chunk.length, total);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) throw tooLarge(total, maxBytes);
  }
}

function assertInside(root: string, real: string): void {
  const inside = relative(root, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new PermissionError('ref_audio points outside the folder the server allows clips from', PARAM);
  }
}

/** The real path of an open file, from Linux's /proc; undefined where there is none. */
async function openedPath(fd: number): Promise<string | undefined> {
  try {
    return await readlink(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}
