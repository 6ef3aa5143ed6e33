import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { BunzipLimitError, bunzip2Stream } from './bunzip2-stream.js';

export type ArchiveFormat = 'tar.bz2' | 'tar.gz';

export interface UnpackTaskArgs {
  archive: string;
  format: ArchiveFormat;
  destDir: string;
  /** Bytes of tar stream (headers and contents) the archive may unpack to. */
  maxBytes: number;
  maxEntries: number;
}

export type UnpackOutcome =
  | { ok: true; bytes: number; entries: number }
  /**
   * `tooLarge`: past maxBytes (the reason ends "more than", for the caller to say how much);
   * `refused`: an entry no model archive holds, or too many; `corrupt`: not a readable archive.
   */
  | { ok: false; kind: 'tooLarge' | 'refused' | 'corrupt'; reason: string };

/** Entry types a model archive holds; anything else (links, devices, FIFOs) is refused. */
const PLAIN_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

const DESCRIBED: Record<string, string> = {
  SymbolicLink: 'a symbolic link',
  Link: 'a hard link',
  CharacterDevice: 'a character device',
  BlockDevice: 'a block device',
  FIFO: 'a named pipe (FIFO)',
};

/** Why a model archive may not hold `entry`, or undefined when it may. */
function entryProblem(entry: tar.ReadEntry): string | undefined {
  const path = entry.path;
  if (!PLAIN_TYPES.has(entry.type)) {
    const link = entry.linkpath ? ` to '${entry.linkpath}'` : '';
    return `holds '${path}', ${DESCRIBED[entry.type] ?? `an entry of type ${entry.type}`}${link}`;
  }
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return `holds '${path}', an absolute path`;
  if (path.split(/[/\\]/).includes('..')) return `holds '${path}', a path that climbs out of its folder with '..'`;
  return undefined;
}

/**
 * Unpacks a tar.bz2 or tar.gz into `destDir`; run in a worker thread, as bzip2 is decoded in
 * JavaScript and on the main thread a large archive would hold the event loop. It stops at the
 * first entry a model archive does not hold (links, devices, FIFOs, absolute or `..` paths) and
 * once the archive has unpacked to more than `maxBytes` or `maxEntries`: a bomb is cut short
 * after at most that much, whatever its headers claim. The caller removes `destDir` on failure,
 * once the thread has ended: writes of entries already under way may land after this returns.
 */
export async function unpackTask({ archive, format, destDir, maxBytes, maxEntries }: UnpackTaskArgs): Promise<UnpackOutcome> {
  await mkdir(destDir, { recursive: true });
  let bytes = 0;
  let entries = 0;
  let stopped: Extract<UnpackOutcome, { ok: false }> | undefined;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        stopped ??= { ok: false, kind: 'tooLarge', reason: 'unpacks to more than' };
        done(new Error(stopped.reason));
        return;
      }
      done(null, chunk);
    },
  });
  const stop = (outcome: Extract<UnpackOutcome, { ok: false }>) => {
    stopped ??= outcome;
    counter.destroy(new Error(outcome.reason));
  };
  const extract = tar.x({
    cwd: destDir,
    strict: true,
    // Files get plain modes and the server's owner, whatever the archive says (no setuid, no chown as root).
    preserveOwner: false,
    filter: (_path, entry) => {
      const read = entry as tar.ReadEntry;
      entries += 1;
      const problem = entryProblem(read);
      if (problem) stop({ ok: false, kind: 'refused', reason: problem });
      else if (entries > maxEntries) stop({ ok: false, kind: 'refused', reason: `holds more than ${maxEntries} entries` });
      else if (read.size > maxBytes) stop({ ok: false, kind: 'tooLarge', reason: `holds '${read.path}' of ${read.size} bytes, more than` });
      else read.mode = read.type === 'Directory' ? 0o755 : 0o644;
      return stopped === undefined;
    },
  });
  try {
    await pipeline(createReadStream(archive), format === 'tar.bz2' ? bunzip2Stream(maxBytes) : createGunzip(), counter, extract);
  } catch (error) {
    if (!stopped && error instanceof BunzipLimitError) return { ok: false, kind: 'tooLarge', reason: 'unpacks to more than' };
    return stopped ?? { ok: false, kind: 'corrupt', reason: `cannot be unpacked as ${format}: ${(error as Error).message}` };
  }
  return stopped ?? { ok: true, bytes, entries };
}
