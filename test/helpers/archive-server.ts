import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CatalogueEntry } from '../../src/catalogue/catalogue-entry.js';

const run = promisify(execFile);

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A catalogue entry for the Pocket fixture archive served at `url`, with its real size and SHA-256 unless overridden. */
export function pocketArchiveEntry(url: string, archive: Buffer, overrides: Partial<CatalogueEntry> = {}): CatalogueEntry {
  return {
    id: 'pocket-test',
    task: 'tts',
    family: 'Pocket TTS',
    description: 'fixture',
    licence: 'test',
    url,
    format: 'tar.bz2',
    sizeBytes: archive.length,
    sha256: sha256(archive),
    ...overrides,
  };
}

export interface ServedRequest {
  path: string;
  range?: string;
}

export interface ArchiveServer {
  url: string;
  requests: ServedRequest[];
  /** The next GET of `path` sends headers for the whole file, then only `bytes` of it, then drops the connection. */
  cutNextAfter(path: string, bytes: number): void;
  /** The next GET of `path` sends `bytes` of it, then waits until the returned function is called before sending the rest. */
  holdNextAfter(path: string, bytes: number): () => void;
  close(): Promise<void>;
}

/** A loopback HTTP server for the pull tests: serves `files` by path, honours `Range: bytes=N-`, 404s the rest. */
export async function startArchiveServer(files: Record<string, Buffer>): Promise<ArchiveServer> {
  const requests: ServedRequest[] = [];
  const cuts = new Map<string, number>();
  const holds = new Map<string, { bytes: number; released: Promise<void> }>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    requests.push({ path, range: request.headers.range });
    const body = files[path];
    if (!body) {
      response.writeHead(404).end('not found');
      return;
    }
    const from = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
    if (from >= body.length && from > 0) {
      response.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length - from, 'Accept-Ranges': 'bytes' };
    if (from > 0) headers['Content-Range'] = `bytes ${from}-${body.length - 1}/${body.length}`;
    response.writeHead(from > 0 ? 206 : 200, headers);
    const hold = holds.get(path);
    if (hold !== undefined) {
      holds.delete(path);
      response.write(body.subarray(from, from + hold.bytes));
      void hold.released.then(() => response.end(body.subarray(from + hold.bytes)));
      return;
    }
    const cut = cuts.get(path);
    if (cut !== undefined) {
      cuts.delete(path);
      response.write(body.subarray(from, from + cut), () => response.socket?.destroy());
      return;
    }
    response.end(body.subarray(from));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    cutNextAfter: (path, bytes) => cuts.set(path, bytes),
    holdNextAfter: (path, bytes) => {
      let release = () => {};
      holds.set(path, { bytes, released: new Promise<void>((resolve) => (release = resolve)) });
      return () => release();
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * A release-style archive of `modelDir` (its files under one top folder `topName`), made with the
 * system tar as sherpa-onnx's are, plus `padBytes` of random data so that a download takes
 * several chunks.
 */
export async function makeModelArchive(modelDir: string, topName: string, format: 'tar.bz2' | 'tar.gz', padBytes = 0): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), 'vocable-archive-'));
  try {
    await cp(modelDir, join(work, topName), { recursive: true, dereference: true });
    if (padBytes > 0) await writeFile(join(work, topName, 'README.bin'), randomBytes(padBytes));
    const archive = join(work, `archive.${format}`);
    await run('tar', [format === 'tar.bz2' ? '-cjf' : '-czf', archive, '-C', work, topName]);
    return await readFile(archive);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
