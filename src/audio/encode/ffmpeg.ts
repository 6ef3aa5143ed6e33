import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { delimiter, join } from 'node:path';
import type { StreamEncoder } from './stream-encoder.js';

/** ffmpeg's name for raw float samples in this machine's byte order, as a Float32Array holds them. */
const RAW_FLOAT_FORMAT = endianness() === 'LE' ? 'f32le' : 'f32be';
/** How long a write waits for ffmpeg to catch up before it returns what has come out so far. */
const CATCH_UP_TIMEOUT_MS = 500;
const STDERR_KEPT_CHARS = 2000;

/** The ffmpeg executable on the PATH, if there is one. */
export function findFfmpeg(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ffmpeg');
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Tracks how much audio an encoder's output holds, from its bytes as they arrive. */
export interface OutputClock {
  push(bytes: Buffer): void;
  readonly seconds: number;
}

export interface FfmpegEncoderOptions {
  ffmpegPath: string;
  inputRate: number;
  /** Codec, rate and container options for the output. */
  outputArgs: readonly string[];
  outputClock: OutputClock;
  /**
   * How far the output may trail the input once ffmpeg has encoded all it can (the samples its
   * input reader and codec hold back for a whole packet or frame).
   */
  maxLagSeconds: number;
}

/**
 * Streams float samples through an ffmpeg child process, stdin to stdout. Its output is read as
 * it arrives (so ffmpeg never blocks on a full pipe while we write); each write waits until the
 * output has caught up with the input, so a chunk's bytes go out with it rather than with the
 * next one.
 */
export function createFfmpegEncoder(options: FfmpegEncoderOptions): StreamEncoder {
  const { inputRate, outputClock, maxLagSeconds } = options;
  const child = spawn(
    options.ffmpegPath,
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
      // The raw input is fully described, so skip probing, which would hold back ~2 s of audio.
      ...['-probesize', '32', '-analyzeduration', '0'],
      ...['-f', RAW_FLOAT_FORMAT, '-ar', String(inputRate), '-ac', '1', '-i', 'pipe:0'],
      ...options.outputArgs,
      ...['-flush_packets', '1', 'pipe:1'],
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const output: Buffer[] = [];
  let stderr = '';
  let inputSeconds = 0;
  let running = true;
  let aborted = false;
  /** Wakes a write waiting for output. */
  let onProgress: (() => void) | undefined;

  const exitCode = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', (error) => {
      stderr += error.message;
      resolve(null);
    });
  }).finally(() => {
    running = false;
    onProgress?.();
  });
  // Writing to a pipe ffmpeg has closed fails with EPIPE; its exit status and stderr say why.
  child.stdin.on('error', () => {});
  child.stdout.on('data', (chunk: Buffer) => {
    output.push(chunk);
    outputClock.push(chunk);
    onProgress?.();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT_CHARS);
  });

  const takeOutput = (): Buffer => {
    const bytes = Buffer.concat(output);
    output.length = 0;
    return bytes;
  };
  const failure = async (): Promise<Error> => {
    if (aborted) return new Error('the ffmpeg stream was aborted');
    const code = await exitCode;
    return new Error(`ffmpeg failed (exit code ${code}): ${stderr.trim() || 'no message'}`);
  };
  const caughtUp = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        onProgress = undefined;
        resolve();
      };
      const timer = setTimeout(done, CATCH_UP_TIMEOUT_MS);
      onProgress = () => {
        if (!running || inputSeconds - outputClock.seconds <= maxLagSeconds) done();
      };
      onProgress();
    });

  return {
    async write(samples) {
      if (!running || aborted) throw await failure();
      inputSeconds += samples.length / inputRate;
      // A copy: ffmpeg may read it after the caller has reused its array.
      const raw = Buffer.from(samples.slice().buffer);
      const written = await new Promise<boolean>((resolve) => child.stdin.write(raw, (error) => resolve(!error)));
      if (!written) throw await failure();
      await caughtUp();
      return takeOutput();
    },
    async end() {
      if (aborted) throw await failure();
      child.stdin.end();
      if ((await exitCode) !== 0) throw await failure();
      return takeOutput();
    },
    abort() {
      aborted = true;
      child.stdin.destroy();
      child.kill('SIGKILL');
    },
  };
}
