import { createStreamEncoder, encodedRate, type OutputFormat, type StreamEncoder } from '../audio/encode/index.js';
import { InvalidRequestError } from '../errors.js';
import { encodeG711, type G711Law } from './g711.js';

/** An ElevenLabs `output_format` (`mp3_44100_128`, `pcm_24000`, `ulaw_8000`…) as Vocable encodes it. */
export interface OutputSpec {
  name: string;
  /** The container/codec, or a G.711 law (raw 8 kHz bytes). */
  codec: OutputFormat | G711Law;
  sampleRate: number;
}

const PCM_RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000];
export const DEFAULT_OUTPUT_FORMAT = 'mp3_44100_128';

/** The formats ElevenLabs documents: codec, rate, and for mp3 and opus a bitrate (the encoders pick their own). */
const FORMAT = /^(mp3|pcm|ulaw|alaw|opus)_(\d+)(?:_(\d+))?$/;

export function parseOutputFormat(name: string = DEFAULT_OUTPUT_FORMAT): OutputSpec {
  const match = FORMAT.exec(name);
  const refuse = () =>
    new InvalidRequestError(
      `output_format '${name}' is not served; use mp3_<rate>_<kbps> (e.g. mp3_44100_128), pcm_<rate> (${PCM_RATES.join(', ')}), ulaw_8000, alaw_8000 or opus_48000_<kbps>`,
      'output_format',
      'unsupported_response_format',
    );
  if (!match) throw refuse();
  const [, codec, rateText] = match;
  const rate = Number(rateText);
  switch (codec) {
    case 'mp3':
      if (encodedRate('mp3', rate) !== rate) throw refuse();
      return { name, codec: 'mp3', sampleRate: rate };
    case 'opus':
      if (rate !== 48000) throw refuse();
      return { name, codec: 'opus', sampleRate: rate };
    case 'pcm':
      if (!PCM_RATES.includes(rate)) throw refuse();
      return { name, codec: 'pcm', sampleRate: rate };
    default:
      if (rate !== 8000) throw refuse();
      return { name, codec: codec === 'ulaw' ? 'mulaw' : 'alaw', sampleRate: rate };
  }
}

/** An encoder for the spec; G.711 bytes are made here, one per sample. */
export function createOutputEncoder(spec: OutputSpec): StreamEncoder {
  if (spec.codec === 'mulaw' || spec.codec === 'alaw') {
    const law = spec.codec;
    return { write: async (samples) => encodeG711(samples, law), end: async () => Buffer.alloc(0), abort: () => {} };
  }
  // On this thread: a session lives for minutes and its encoder would hold a place in the audio worker pool all that time.
  return createStreamEncoder(spec.codec, spec.sampleRate);
}
