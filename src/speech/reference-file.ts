import { open, readlink, realpath } from 'node:fs/promises';
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
  const file = await open(real, 'r');
  try {
    // A folder swapped for a link between the check and the open would escape: check what was opened.
    assertInside(root, (await openedPath(file.fd)) ?? real);
    const info = await file.stat();
    if (!info.isFile()) throw new InvalidRequestError(`ref_audio is not a file: ${path}`, PARAM, 'file_not_found');
    if (info.size > maxBytes) {
      throw new PayloadTooLargeError(`ref_audio is ${(info.size / 1048576).toFixed(1)} MB; the limit is ${(maxBytes / 1048576).toFixed(1)} MB`, PARAM);
    }
    return await file.readFile();
  } finally {
    await file.close();
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
