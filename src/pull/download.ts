import { createWriteStream } from 'node:fs';
import { rm, stat, truncate } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { DownloadError } from '../errors.js';

export interface DownloadProgress {
  receivedBytes: number;
  /** From the server's Content-Length / Content-Range, or the catalogue. */
  totalBytes?: number;
}

export interface DownloadOptions {
  expectedBytes?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** The network-level reason behind a failed fetch (undici hides it in `cause`). */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** Total size from `Content-Range: bytes a-b/total`, or undefined. */
function rangeTotal(header: string | null): number | undefined {
  const match = header ? /\/(\d+)\s*$/.exec(header) : null;
  return match ? Number(match[1]) : undefined;
}

async function request(url: string, from: number, signal?: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { headers: from > 0 ? { Range: `bytes=${from}-` } : {}, signal, redirect: 'follow' });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new DownloadError(`Could not reach ${url} (${reason(error)}).`, 'download_failed', true);
  }
}

/**
 * Downloads `url` into `partPath`, resuming from the bytes a previous, interrupted attempt left
 * there (an HTTP Range request; a server that ignores it sends the whole file again). The part
 * file stays after a failure so the next attempt resumes; the caller verifies and moves it.
 */
export async function downloadResumable(url: string, partPath: string, options: DownloadOptions = {}): Promise<void> {
  let from = await sizeOf(partPath);
  if (options.expectedBytes !== undefined && from > options.expectedBytes) {
    await rm(partPath, { force: true });
    from = 0;
  }
  if (from > 0 && from === options.expectedBytes) return;

  let response = await request(url, from, options.signal);
  if (response.status === 416 && from > 0) {
    // The part no longer fits what the server has: start over.
    await response.body?.cancel();
    await rm(partPath, { force: true });
    from = 0;
    response = await request(url, 0, options.signal);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    // A server in trouble (5xx) may serve the rest later; a refusal (4xx) says the URL is wrong.
    throw new DownloadError(`${url} answered HTTP ${response.status}${response.status === 404 ? ' (not found)' : ''}.`, 'download_failed', response.status >= 500);
  }
  if (response.status === 200 && from > 0) {
    await truncate(partPath, 0);
    from = 0;
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  const totalBytes = rangeTotal(response.headers.get('content-range')) ?? (Number.isFinite(length) ? from + length : options.expectedBytes);

  let receivedBytes = from;
  options.onProgress?.({ receivedBytes, totalBytes });
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      receivedBytes += chunk.length;
      options.onProgress?.({ receivedBytes, totalBytes });
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counter, createWriteStream(partPath, { flags: 'a' }));
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new DownloadError(`The download of ${url} was cut off after ${receivedBytes} bytes (${reason(error)}); pull again to resume.`, 'download_failed', true);
  }
  if (totalBytes !== undefined && receivedBytes < totalBytes) {
    throw new DownloadError(`The download of ${url} ended early, at ${receivedBytes} of ${totalBytes} bytes; pull again to resume.`, 'download_failed', true);
  }
}
