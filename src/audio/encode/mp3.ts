import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createEncoder, type WasmMediaEncoder } from 'wasm-media-encoders';
import type { StreamEncoder } from './stream-encoder.js';

/** MPEG-1, -2 and -2.5 layer III rates; LAME resamples other input rates to the next one up. */
export const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000] as const;
/** LAME's VBR scale, 0 (best) to 9.999; 4 is LAME's own default, clear speech at small size. */
const VBR_QUALITY = 4;

type Mp3Encoder = WasmMediaEncoder<'audio/mpeg'>;

/** LAME compiled to WebAssembly; compiled once, instantiated per stream. */
let lameModule: Promise<WebAssembly.Module> | undefined;

function compiledLame(): Promise<WebAssembly.Module> {
  lameModule ??= readFile(createRequire(import.meta.url).resolve('wasm-media-encoders/wasm/mp3')).then((bytes) =>
    WebAssembly.compile(bytes),
  );
  return lameModule;
}

async function openLame(sampleRate: number): Promise<Mp3Encoder> {
  const encoder = await createEncoder('audio/mpeg', await compiledLame());
  const outputSampleRate = MP3_RATES.find((rate) => rate >= sampleRate) ?? 48000;
  encoder.configure({ channels: 1, sampleRate, vbrQuality: VBR_QUALITY, outputSampleRate });
  return encoder;
}

/** MP3 (LAME, in process); frames come out as each one fills. */
export function createMp3StreamEncoder(sampleRate: number): StreamEncoder {
  let lame: Promise<Mp3Encoder> | undefined;
  const encoder = (): Promise<Mp3Encoder> => (lame ??= openLame(sampleRate));
  return {
    // The encoder owns the array it returns, so copy it out before the next call.
    write: async (samples) => Buffer.from((await encoder()).encode([samples])),
    end: async () => Buffer.from((await encoder()).finalize()),
    // The WebAssembly instance holds no outside resources; its memory goes with the last reference.
    abort: () => {},
  };
}
