import { VocableError } from '../errors.js';
import type { InputAudioFormat } from '../wire/realtime.js';
import { decodeG711 } from './g711.js';

export type { InputAudioFormat };

export const PCM_RATE = 24000;
const G711_RATE = 8000;

export function formatRate(format: InputAudioFormat): number {
  return format.type === 'audio/pcm' ? PCM_RATE : G711_RATE;
}

export function bytesPerSecond(format: InputAudioFormat): number {
  return format.type === 'audio/pcm' ? PCM_RATE * 2 : G711_RATE;
}

/** Audio that is not what the session declared; the message says what to send instead. */
export class WrongAudioError extends VocableError {
  constructor(message: string) {
    super('invalid_audio_format', message, 'audio');
  }
}

/** Headers of files people send by mistake instead of raw samples. */
const CONTAINERS: [string, Uint8Array][] = [
  ['a WAV file', Buffer.from('RIFF')],
  ['an Ogg file', Buffer.from('OggS')],
  ['a FLAC file', Buffer.from('fLaC')],
  ['an MP3 file', Buffer.from('ID3')],
  ['a WebM file', Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3)],
];

const describe = (format: InputAudioFormat): string =>
  format.type === 'audio/pcm' ? 'raw 16-bit little-endian mono PCM at 24 kHz' : `raw 8 kHz G.711 ${format.type === 'audio/pcmu' ? 'μ-law' : 'A-law'} bytes`;

const startsWith = (bytes: Uint8Array, magic: Uint8Array): boolean => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);

/**
 * One `input_audio_buffer.append` payload as float samples at the format's rate. Container
 * files and PCM with an odd byte count are refused: decoding them as samples would feed noise
 * to the detector and the model.
 */
export function decodeInputAudio(bytes: Uint8Array, format: InputAudioFormat): Float32Array {
  const container = CONTAINERS.find(([, magic]) => startsWith(bytes, magic));
  if (container) throw new WrongAudioError(`The audio is ${container[0]}; this session takes ${describe(format)}, without a header.`);
  if (format.type !== 'audio/pcm') return decodeG711(bytes, format.type === 'audio/pcmu' ? 'mulaw' : 'alaw');
  if (bytes.length % 2 !== 0) {
    throw new WrongAudioError(`The audio has an odd number of bytes (${bytes.length}); audio/pcm takes whole 16-bit samples. Send ${describe(format)}.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}
