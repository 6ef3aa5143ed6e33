import type { StreamEncoder } from './stream-encoder.js';
import { encodePcm16, encodeWav } from '../wav.js';

/** What a WAV header says for sizes not known yet; common players then read to the end of the stream. */
const UNKNOWN_SIZE = 0xffffffff;
const RIFF_SIZE_OFFSET = 4;
const DATA_SIZE_OFFSET = 40;

/** Headerless 16-bit little-endian mono PCM. */
export function createPcmStreamEncoder(): StreamEncoder {
  return {
    write: async (samples) => encodePcm16(samples),
    end: async () => Buffer.alloc(0),
    abort: () => {},
  };
}

/** A 16-bit mono WAV whose header, sent first, leaves the length open. */
export function createWavStreamEncoder(sampleRate: number): StreamEncoder {
  let header: Buffer | undefined = streamingWavHeader(sampleRate);
  const takeHeader = (): Buffer => {
    const bytes = header ?? Buffer.alloc(0);
    header = undefined;
    return bytes;
  };
  return {
    write: async (samples) => Buffer.concat([takeHeader(), encodePcm16(samples)]),
    end: async () => takeHeader(),
    abort: () => {},
  };
}

function streamingWavHeader(sampleRate: number): Buffer {
  const header = encodeWav({ samples: new Float32Array(0), sampleRate });
  header.writeUInt32LE(UNKNOWN_SIZE, RIFF_SIZE_OFFSET);
  header.writeUInt32LE(UNKNOWN_SIZE, DATA_SIZE_OFFSET);
  return header;
}
