import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { MonoAudio } from '../pcm.js';
import { encodeWav } from '../wav.js';
import { AAC_NEEDS_FFMPEG, AAC_RATES, aacEncoderAvailable, createAacStreamEncoder } from './aac.js';
import { createFlacStreamEncoder } from './flac.js';
import { createMp3StreamEncoder, MP3_RATES } from './mp3.js';
import { createOpusStreamEncoder, OPUS_RATES } from './opus.js';
import { createPcmStreamEncoder, createWavStreamEncoder } from './pcm-stream.js';
import type { StreamEncoder } from './stream-encoder.js';
import type { EncodeArgs } from '../encode-task.js';
import type { EncoderAnswer, EncoderCommand, StreamEncodeArgs } from './stream-encode-task.js';
import { ownedSamples, runInWorker, taskModule } from '../worker-pool.js';

export { EncoderUnavailableError, type StreamEncoder } from './stream-encoder.js';

export type OutputFormat = 'mp3' | 'opus' | 'aac' | 'flac' | 'wav' | 'pcm';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'];

const CONTENT_TYPES: Record<OutputFormat, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg', // Opus in an Ogg container
  aac: 'audio/aac', // AAC in ADTS frames
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

/** Whole-file encoding goes through the stream encoder a slice at a time, yielding in between. */
const WHOLE_FILE_SLICE_SECONDS = 1;

const CODEC_RATES: Partial<Record<OutputFormat, readonly number[]>> = { mp3: MP3_RATES, aac: AAC_RATES, opus: OPUS_RATES };

/**
 * The rate a format carries audio at when asked for `rate`: the codec's next rate up where it
 * has a fixed set (so resample to this first, and tell the client this one), else `rate`.
 */
export function encodedRate(format: OutputFormat, rate: number): number {
  const rates = CODEC_RATES[format];
  return rates ? (rates.find((r) => r >= rate) ?? rates.at(-1)!) : rate;
}

export function contentType(format: OutputFormat): string {
  return CONTENT_TYPES[format];
}

/** Whether this machine can encode the format (aac needs ffmpeg; the others are in process). */
export function encoderAvailable(format: OutputFormat): boolean {
  return format === 'aac' ? aacEncoderAvailable() : true;
}

/** What to install for a format this machine cannot encode. */
export function missingEncoderMessage(format: OutputFormat): string {
  return format === 'aac' ? AAC_NEEDS_FFMPEG : `response_format '${format}' cannot be encoded here`;
}

/** Throws EncoderUnavailableError when the format needs something this machine lacks. Encodes on the calling thread. */
export function createStreamEncoder(format: OutputFormat, sampleRate: number): StreamEncoder {
  return openEncoder(format, sampleRate);
}

/** A whole file. WAV gets exact sizes in its header, FLAC its sample count. */
export async function encodeAudio(audio: MonoAudio, format: OutputFormat): Promise<Buffer> {
  if (format === 'wav') return encodeWav(audio);
  const encoder = openEncoder(format, audio.sampleRate, audio.samples.length);
  const slice = Math.max(1, Math.round(audio.sampleRate * WHOLE_FILE_SLICE_SECONDS));
  const parts: Buffer[] = [];
  try {
    for (let at = 0; at < audio.samples.length; at += slice) {
      parts.push(await encoder.write(audio.samples.subarray(at, at + slice)));
      await nextTurn(); // let other requests run between slices of a long file
    }
    parts.push(await encoder.end());
  } catch (error) {
    encoder.abort();
    throw error;
  }
  return Buffer.concat(parts);
}

function openEncoder(format: OutputFormat, sampleRate: number, totalSamples?: number): StreamEncoder {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`sample rate must be a positive integer, not ${sampleRate}`);
  }
  switch (format) {
    case 'mp3':
      return createMp3StreamEncoder(sampleRate);
    case 'opus':
      return createOpusStreamEncoder(sampleRate);
    case 'aac':
      return createAacStreamEncoder(sampleRate);
    case 'flac':
      return createFlacStreamEncoder(sampleRate, totalSamples);
    case 'wav':
      return createWavStreamEncoder(sampleRate);
    case 'pcm':
      return createPcmStreamEncoder();
  }
}

const ENCODE_TASK = taskModule(import.meta.url, '../encode-task');

/** `encodeAudio` in the audio worker pool, off the event loop; the samples are moved there (the caller must not use them afterwards). */
export async function encodeAudioOffThread(audio: MonoAudio, format: OutputFormat): Promise<Buffer> {
  const samples = ownedSamples(audio.samples);
  const args: EncodeArgs = { samples, sampleRate: audio.sampleRate, format };
  const bytes = await runInWorker<Uint8Array>(ENCODE_TASK, 'encodeFile', args, [samples.buffer]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const STREAM_ENCODE_TASK = taskModule(import.meta.url, './stream-encode-task');

/** Formats whose codec runs in this process and costs real CPU per chunk (wav and pcm only convert; aac's ffmpeg is a process of its own). */
const CODEC_IN_PROCESS: ReadonlySet<OutputFormat> = new Set(['mp3', 'opus', 'flac']);

/**
 * A stream encoder whose codec (LAME, libopus, FLAC) runs in the audio worker pool, off the
 * event loop: each chunk's samples are copied there, its bytes moved back. The worker's task
 * starts with the first write, once the request has audio, so a stream waiting for its first
 * chunk holds no place in the pool; it holds one until the stream ends, so it suits a response,
 * not a session of minutes. Throws like `createStreamEncoder`.
 */
export function createStreamEncoderOffThread(format: OutputFormat, sampleRate: number): StreamEncoder {
  if (!CODEC_IN_PROCESS.has(format)) return openEncoder(format, sampleRate);
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`sample rate must be a positive integer, not ${sampleRate}`);
  let worker: { port: MessagePort; task: Promise<void>; closed: Promise<never> } | undefined;
  let taskError: unknown;
  let over = false;
  const start = () => {
    if (worker) return worker;
    const { port1: port, port2 } = new MessageChannel();
    const args: StreamEncodeArgs = { format, sampleRate, port: port2 };
    const task = runInWorker<void>(STREAM_ENCODE_TASK, 'encodeStreamTask', args, [port2]).catch((error: unknown) => {
      taskError = error;
      port.close();
    });
    const closed = once(port, 'close').then((): never => {
      throw taskError ?? new Error(`the ${format} encoder's worker stopped`);
    });
    // Only a pending write or end hears of the close; after the last answer it is expected.
    closed.catch(() => {});
    worker = { port, task, closed };
    return worker;
  };
  const ask = async (command: EncoderCommand): Promise<Buffer> => {
    if (over) throw new Error('the stream encoder has already ended');
    const { port, closed } = start();
    const answered = once(port, 'message') as Promise<[EncoderAnswer]>;
    port.postMessage(command);
    const [answer] = await Promise.race([answered, closed]);
    if (answer.type === 'error') {
      over = true;
      throw new Error(`encoding ${format} failed: ${answer.message}`);
    }
    return Buffer.from(answer.bytes.buffer, answer.bytes.byteOffset, answer.bytes.byteLength);
  };
  return {
    write: (samples) => ask({ type: 'write', samples }),
    end: async () => {
      const last = await ask({ type: 'end' });
      over = true;
      await worker?.task;
      return last;
    },
    abort: () => {
      if (over) return;
      over = true;
      worker?.port.postMessage({ type: 'abort' } satisfies EncoderCommand);
      worker?.port.close();
    },
  };
}
