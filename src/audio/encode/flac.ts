import { createRequire } from 'node:module';
import type libflacFactory from 'libflacjs';
import type { StreamEncoder } from './stream-encoder.js';

type Flac = libflacFactory.Flac;

/** libFLAC's default effort: nearly all of the compression of level 8 at a fraction of the work. */
const COMPRESSION_LEVEL = 5;
const BITS_PER_SAMPLE = 16;
/** Samples handed to libFLAC per call: each call copies its input into the library's heap. */
const PROCESS_SLICE = 65536;

/**
 * libFLAC compiled to JavaScript (the asm.js build: the WebAssembly one fetches its binary with
 * `fetch`, which Node's fetch refuses for file paths). Loaded once, on first use.
 */
let library: Promise<Flac> | undefined;

function libflac(): Promise<Flac> {
  library ??= new Promise((resolve) => {
    const flac = (createRequire(import.meta.url)('libflacjs') as typeof libflacFactory)('min');
    if (flac.isReady()) resolve(flac);
    else flac.on('ready', () => resolve(flac));
  });
  return library;
}

/** FLAC stream state once libFLAC has started it: the encoder's id and the bytes it has written. */
interface OpenFlac {
  flac: Flac;
  id: number;
  output: Buffer[];
}

async function openFlac(sampleRate: number, totalSamples: number): Promise<OpenFlac> {
  const flac = await libflac();
  const id = flac.create_libflac_encoder(sampleRate, 1, BITS_PER_SAMPLE, COMPRESSION_LEVEL, totalSamples, false);
  if (id === 0) throw new Error(`libFLAC cannot encode mono ${BITS_PER_SAMPLE}-bit audio at ${sampleRate} Hz`);
  const output: Buffer[] = [];
  // Without seek callbacks libFLAC writes the stream strictly forwards, as streaming needs.
  const status = flac.init_encoder_stream(id, (data, bytes) => {
    output.push(Buffer.from(data.subarray(0, bytes)));
  });
  if (status !== 0) {
    flac.FLAC__stream_encoder_delete(id);
    throw new Error(`libFLAC could not start a stream (init status ${status})`);
  }
  return { flac, id, output };
}

function takeOutput(stream: OpenFlac): Buffer {
  const bytes = Buffer.concat(stream.output);
  stream.output.length = 0;
  return bytes;
}

/** Float samples to the 16-bit integer range, one sample per Int32 as libFLAC takes them. */
function toInt16Range(samples: Float32Array): Int32Array<ArrayBuffer> {
  const out = new Int32Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    out[i] = Math.round(s < 0 ? s * 0x8000 : s * 0x7fff);
  }
  return out;
}

/**
 * FLAC (libFLAC, in process), 16-bit mono. A frame comes out per 4096 samples. `totalSamples`,
 * when known up front, goes into the header; a live stream leaves it 0, meaning unknown.
 */
export function createFlacStreamEncoder(sampleRate: number, totalSamples = 0): StreamEncoder {
  let opened: Promise<OpenFlac> | undefined;
  let closed = false;
  const stream = async (): Promise<OpenFlac> => {
    const flacStream = await (opened ??= openFlac(sampleRate, totalSamples));
    if (closed) throw new Error('the FLAC stream is already closed');
    return flacStream;
  };
  return {
    async write(samples) {
      const flacStream = await stream();
      for (let at = 0; at < samples.length; at += PROCESS_SLICE) {
        const slice = toInt16Range(samples.subarray(at, at + PROCESS_SLICE));
        if (!flacStream.flac.FLAC__stream_encoder_process_interleaved(flacStream.id, slice, slice.length)) {
          throw new Error(`libFLAC failed to encode (state ${flacStream.flac.FLAC__stream_encoder_get_state(flacStream.id)})`);
        }
      }
      return takeOutput(flacStream);
    },
    async end() {
      const flacStream = await stream();
      closed = true;
      flacStream.flac.FLAC__stream_encoder_finish(flacStream.id);
      flacStream.flac.FLAC__stream_encoder_delete(flacStream.id);
      return takeOutput(flacStream);
    },
    abort() {
      if (closed || !opened) return;
      closed = true;
      opened
        .then((flacStream) => flacStream.flac.FLAC__stream_encoder_delete(flacStream.id))
        .catch(() => {});
    },
  };
}
