import decodeAudioFile from 'audio-decode';
import audioType from 'audio-type';
import { AudioDecodeError } from './decode.js';
import { downmix, type MonoAudio } from './pcm.js';

/** Encoded bytes handed to the decoder at a time: small, so PCM comes out in small pieces. */
const SLICE_BYTES = 64 * 1024;
/**
 * Smaller slices for codecs that pack long silence into a few bytes (a 65535-sample FLAC frame
 * of silence is ~12 bytes): one call's output stays tens of MB, never gigabytes.
 */
const DENSE_SLICE_BYTES: Record<string, number> = { flac: 1024, opus: 4096, oga: 4096, webm: 4096, mkv: 4096 };
/** Tracker modules are scores, not recordings: the renderer turns 2 KB into minutes of audio in one call. */
const SYNTHESISED = new Set(['mod', 'xm', 's3m', 'it']);
/**
 * Audio past this many seconds must average at least MIN_BYTES_PER_SECOND of the file: every
 * codec carrying sound does, so only crafted (or all-silent) files are refused, early.
 */
const GRACE_SECONDS = 300;
const MIN_BYTES_PER_SECOND = 64;

/** Rates outside these are no recording: a few hertz turns a tiny file into hours once resampled. */
const MIN_SAMPLE_RATE = 1000;
/** The resampler's tables grow with odd rates up to this. */
const MAX_SAMPLE_RATE = 384_000;
/** WAV format tags of MS and IMA ADPCM, whose blocks carry a sample count. */
const ADPCM_FORMATS = new Set([0x0002, 0x0011]);

export class AudioTooLongError extends AudioDecodeError {
  constructor(message: string) {
    super(message, 'audio_too_long');
  }
}

export interface DecodeLimits {
  /** Refuse (AudioTooLongError) as soon as the decoded audio passes this many seconds. */
  maxSeconds?: number;
}

type StreamDecoder = ((chunk?: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>) & { free(): void };
const decoders = decodeAudioFile as unknown as Record<string, () => Promise<StreamDecoder>>;

/**
 * Decodes a file piece by piece, yielding mono PCM as it comes, so a long recording never sits
 * in memory as one block of samples (only its encoded bytes do), and audio past `limits` (or
 * far past what the file's size could record) is refused before the rest is decoded. Same
 * formats as decodeAudio, tracker modules aside.
 */
export async function* decodeAudioStream(file: Uint8Array, limits: DecodeLimits = {}): AsyncGenerator<MonoAudio> {
  // A plain view, not a Buffer: the WAV decoder re-aligns float samples with slice(), which copies
  // a Uint8Array but only re-views a Buffer.
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const type = audioType(bytes);
  const open = type && !SYNTHESISED.has(type) ? decoders[type] : undefined;
  if (!open) throw new AudioDecodeError(bytes.length === 0 ? 'the file is empty' : 'the bytes are not a readable audio file (unknown format)');
  const wavProblem = type === 'wav' ? wavHeaderProblem(bytes) : undefined;
  if (wavProblem) throw new AudioDecodeError(wavProblem);
  const slice = DENSE_SLICE_BYTES[type!] ?? SLICE_BYTES;
  let decoder: StreamDecoder;
  try {
    decoder = await open();
  } catch {
    // A format audio-type recognises whose decoder is not installed (Monkey's Audio).
    throw new AudioDecodeError(`no decoder for ${type} audio is installed`);
  }
  let finished = false;
  let seconds = 0;
  const check = (piece: MonoAudio, consumed: number) => {
    seconds += piece.samples.length / piece.sampleRate;
    if (limits.maxSeconds !== undefined && seconds > limits.maxSeconds) {
      throw new AudioTooLongError(`the audio is longer than ${limits.maxSeconds} s`);
    }
    if (seconds > GRACE_SECONDS + consumed / MIN_BYTES_PER_SECOND) {
      throw new AudioTooLongError(`${(consumed / 1024).toFixed(0)} KB decode to over ${Math.floor(seconds)} s of audio, far more than any recording holds`);
    }
    return piece;
  };
  try {
    for (let at = 0; at < bytes.length; ) {
      const end = type === 'flac' ? flacSliceEnd(bytes, at, at + slice) : Math.min(at + slice, bytes.length);
      const piece = await decodePiece(() => decoder(bytes.subarray(at, end)));
      at = end;
      if (piece) yield check(piece, end);
    }
    finished = true;
    const last = await decodePiece(() => decoder());
    if (last) yield check(last, bytes.length);
  } finally {
    if (!finished) decoder.free();
  }
}

/** A whole file as one block of mono samples, decoded in pieces so `limits` stop it early. */
export async function decodeAudioWithin(bytes: Uint8Array, limits: DecodeLimits): Promise<MonoAudio> {
  const pieces: MonoAudio[] = [];
  for await (const piece of decodeAudioStream(bytes, limits)) pieces.push(piece);
  if (pieces.length === 0) throw new AudioDecodeError('the file holds no audio samples');
  const samples = new Float32Array(pieces.reduce((n, p) => n + p.samples.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    samples.set(piece.samples, offset);
    offset += piece.samples.length;
  }
  return { samples, sampleRate: pieces[0]!.sampleRate };
}

/**
 * Where to end a FLAC slice that would end at `end`: before a frame sync code in its last 16
 * bytes (the longest frame header), so no header is split, because the decoder's frame scanner
 * skips a header it sees only part of, and loses that frame.
 */
function flacSliceEnd(bytes: Uint8Array, start: number, end: number): number {
  if (end >= bytes.length) return bytes.length;
  for (let p = Math.max(start + 1, end - 16); p < end; p += 1) {
    if (bytes[p] === 0xff && (bytes[p + 1]! & 0xfe) === 0xf8) return p;
  }
  return end;
}

/**
 * What in a WAV header the decoder would trust to its harm, read where it reads it (the last
 * "fmt " before "data", an ADPCM block's sample count even past a 16-byte chunk): no channels
 * loops its ADPCM path forever, and blocks that claim more samples than their bytes can hold
 * (two a byte at most) make it allocate gigabytes for a few KB.
 */
function wavHeaderProblem(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => (at + 2 <= bytes.length ? view.getUint16(at, true) : 0);
  let problem: string | undefined;
  for (let at = 12; at + 8 <= bytes.length; at += 8 + view.getUint32(at + 4, true)) {
    const id = String.fromCharCode(...bytes.subarray(at, at + 4));
    if (id === 'data') break;
    if (id !== 'fmt ') continue;
    const format = u16(at + 8) === 0xfffe ? u16(at + 32) : u16(at + 8);
    const channels = u16(at + 10);
    const blockAlign = u16(at + 20);
    const samplesPerBlock = ADPCM_FORMATS.has(format) && u16(at + 24) >= 2 ? u16(at + 26) : 1;
    problem =
      channels === 0 || samplesPerBlock * channels > 2 * blockAlign
        ? `the WAV header does not add up (${channels} channels, ${blockAlign}-byte blocks${samplesPerBlock > 1 ? ` of ${samplesPerBlock} samples` : ''})`
        : undefined;
  }
  return problem;
}

async function decodePiece(run: () => ReturnType<StreamDecoder>): Promise<MonoAudio | undefined> {
  let decoded: { channelData: Float32Array[]; sampleRate: number };
  try {
    decoded = await run();
  } catch (error) {
    throw new AudioDecodeError(`the audio is damaged or truncated (${error instanceof Error ? error.message : String(error)})`);
  }
  if (decoded.channelData.length === 0 || decoded.channelData[0]!.length === 0) return undefined;
  if (!(decoded.sampleRate >= MIN_SAMPLE_RATE && decoded.sampleRate <= MAX_SAMPLE_RATE)) {
    throw new AudioDecodeError(`the file declares a sample rate of ${decoded.sampleRate} Hz (recordings are ${MIN_SAMPLE_RATE / 1000}–${MAX_SAMPLE_RATE / 1000} kHz)`);
  }
  const samples = downmix(decoded.channelData);
  for (let i = 0; i < samples.length; i += 1) {
    if (!Number.isFinite(samples[i]!)) throw new AudioDecodeError('the file decodes to invalid (non-finite) samples');
  }
  return { samples, sampleRate: decoded.sampleRate };
}
