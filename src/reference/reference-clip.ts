import { runInWorker, taskModule } from '../audio/worker-pool.js';
import { durationSeconds, type MonoAudio } from '../audio/pcm.js';
import { MAX_DECODED_REFERENCE_SECONDS, MIN_REFERENCE_SECONDS, referenceSeconds, type ReferencePolicy } from '../engine/family.js';
import { InvalidRequestError, PayloadTooLargeError } from '../errors.js';
import type { Base64Args, Base64Result, ClipArgs, ClipResult, FitArgs, StretchArgs } from './reference-task.js';

const REFERENCE_TASK = taskModule(import.meta.url, 'reference-task');

export { MAX_DECODED_REFERENCE_SECONDS, MIN_REFERENCE_SECONDS };
const PARAM = 'ref_audio';
const DATA_URI = /^data:([^,]*?)(;base64)?,/i;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/;

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const isBase64 = (payload: string) => payload.length % 4 !== 1 && (BASE64.test(payload) || BASE64_URL.test(payload));
const AUDIO_EXTENSION = /\.(wav|mp3|flac|ogg|oga|opus|m4a|mp4|aac|webm)$/i;

/** A value that cannot be base64 and reads as a file path ("voices/me.wav", "/srv/clips/a.flac"). */
export function looksLikePath(value: string): boolean {
  const trimmed = value.trim();
  if (DATA_URI.test(trimmed) || URL_LIKE.test(trimmed) || isBase64(trimmed.replace(/\s+/g, ''))) return false;
  return /[/\\]/.test(trimmed) || AUDIO_EXTENSION.test(trimmed);
}

/**
 * The bytes of a `ref_audio` field: plain base64 or a `data:...;base64,` URI. Never a URL:
 * the server fetches nothing on a client's behalf. The size is checked before decoding.
 */
export function decodeReferenceBase64(value: string, maxBytes: number, param = PARAM): Buffer {
  let payload = value.trim();
  const dataUri = DATA_URI.exec(payload);
  if (dataUri) {
    if (!dataUri[2]) throw new InvalidRequestError(`${param} is a data URI without ";base64": send the clip base64-encoded`, param, 'invalid_base64');
    payload = payload.slice(dataUri[0].length);
  } else if (URL_LIKE.test(payload)) {
    throw new InvalidRequestError(`${param} must be base64-encoded audio; URLs are never fetched. Download the clip and send its bytes as base64.`, param, 'invalid_base64');
  }
  payload = payload.replace(/\s+/g, '');
  if (payload.length === 0) throw new InvalidRequestError(`${param} is empty: send a base64-encoded clip of at least 1 s`, param, 'invalid_base64');
  if (!isBase64(payload)) {
    throw new InvalidRequestError(`${param} is not valid base64: encode the clip's bytes with standard base64 (A-Z, a-z, 0-9, +, /, = padding)`, param, 'invalid_base64');
  }
  const decodedBytes = Math.floor((payload.replace(/=+$/, '').length * 3) / 4);
  if (decodedBytes > maxBytes) {
    throw new PayloadTooLargeError(`${param} is ${megabytes(decodedBytes)} of audio; the limit is ${megabytes(maxBytes)}. Send a shorter clip (3-20 s is enough).`, param);
  }
  return Buffer.from(payload, payload.includes('-') || payload.includes('_') ? 'base64url' : 'base64');
}

/** Past this many characters, checking and decoding a clip's base64 would hold the event loop for milliseconds: it runs in the audio worker pool. */
const BASE64_OFF_THREAD_FROM_CHARS = 256 * 1024;

/**
 * `decodeReferenceBase64`, for a long value in the audio worker pool (checking the characters
 * of a 10 MB clip takes tens of milliseconds); the bytes are moved back. Refuses the same way.
 */
export async function decodeReferenceBase64OffThread(value: string, maxBytes: number, param = PARAM): Promise<Buffer> {
  if (value.length < BASE64_OFF_THREAD_FROM_CHARS) return decodeReferenceBase64(value, maxBytes, param);
  const args: Base64Args = { value, maxBytes, param };
  const result = await runInWorker<Base64Result>(REFERENCE_TASK, 'decodeBase64', args);
  if ('bytes' in result) return Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength);
  if (result.error === 'too-large') throw new PayloadTooLargeError(result.message, param);
  throw new InvalidRequestError(result.message, param, 'invalid_base64');
}

/** A clip as the model gets it; `trimmed` when it was longer than the model uses. */
export interface FittedReference {
  audio: MonoAudio;
  trimmed?: { fromSeconds: number; toSeconds: number };
}

export interface FitOptions {
  /** The request field the clip came in, named in errors. */
  param?: string;
  /** Silero VAD, to trim a long clip to its best stretch of speech; its start is kept without one. */
  vadModel?: string;
}

/** The rule in words, for messages; `owner` names what it is for ("model 'pocket'", "a saved voice"). */
export function describeReferenceRule(policy: ReferencePolicy, owner: string): string {
  const { min, max, used } = referenceSeconds(policy);
  if (policy.overLength === 'reject') return `${owner} takes reference clips of ${min}-${max} s (its transcript must match the clip, so a longer one is refused, not trimmed)`;
  return `${owner} takes reference clips of ${min}-${max} s and uses up to ${used} s of speech (a longer clip is trimmed to its best stretch of speech)`;
}

/**
 * Turns a clip's bytes into what the family wants: decoded to mono, resampled, leading and
 * trailing silence trimmed, and fitted to (or checked against) the family's longest clip.
 */
export async function prepareReferenceAudio(bytes: Uint8Array, policy: ReferencePolicy, owner: string, options: FitOptions = {}): Promise<FittedReference> {
  const param = options.param ?? PARAM;
  // Decoding, resampling and trimming run in the audio worker pool, off the event loop.
  // A copy is moved to the worker: callers may keep using their bytes (a clip is at most a few MB).
  const owned = new Uint8Array(bytes);
  const args: ClipArgs = { bytes: owned, sampleRate: policy.sampleRate, maxDecodedSeconds: MAX_DECODED_REFERENCE_SECONDS };
  const result = await runInWorker<ClipResult>(REFERENCE_TASK, 'prepareClip', args, [owned.buffer]);
  if ('error' in result) {
    if (result.error === 'too-long') {
      throw new InvalidRequestError(`${param} is too long: ${result.message}; ${describeReferenceRule(policy, owner)}`, param, 'audio_too_long');
    }
    throw new InvalidRequestError(`${param} could not be decoded: ${result.message}. Send wav, mp3, flac, ogg/opus, m4a or webm.`, param, 'invalid_audio');
  }
  return checkFitted(result.rawSeconds, { samples: result.samples, sampleRate: policy.sampleRate }, policy, owner, param, options.vadModel);
}

/**
 * Resamples, trims and length-checks decoded audio for a family (saved voices, already decoded).
 * The resampling and trimming run in the audio worker pool, on a copy: tens of milliseconds for
 * half a minute of clip, on every request that speaks in a saved voice.
 */
export async function fitReference(decoded: MonoAudio, policy: ReferencePolicy, owner: string, options: FitOptions = {}): Promise<FittedReference> {
  const param = options.param ?? PARAM;
  const raw = durationSeconds(decoded);
  if (raw < MIN_REFERENCE_SECONDS) return checkFitted(raw, decoded, policy, owner, param, options.vadModel);
  const args: FitArgs = { samples: decoded.samples.slice(), sampleRate: decoded.sampleRate, targetRate: policy.sampleRate };
  const samples = await runInWorker<Float32Array>(REFERENCE_TASK, 'fitClip', args, [args.samples.buffer as ArrayBuffer]);
  return checkFitted(raw, { samples, sampleRate: policy.sampleRate }, policy, owner, param, options.vadModel);
}

/** `bestSpeechStretch` in the audio worker pool: Silero runs synchronously, over the whole clip (up to minutes). */
async function bestSpeechStretchOffThread(clip: MonoAudio, seconds: number, vadModel: string): Promise<MonoAudio> {
  // A copy goes to the worker; the stretch (a fresh array there) is moved back.
  const args: StretchArgs = { samples: clip.samples.slice(), sampleRate: clip.sampleRate, seconds, vadModel };
  const samples = await runInWorker<Float32Array>(REFERENCE_TASK, 'bestStretch', args, [args.samples.buffer as ArrayBuffer]);
  return { samples, sampleRate: clip.sampleRate };
}

/**
 * Checks a clip of `raw` seconds as sent, `clip` once resampled and trimmed, against the family's
 * bounds; a longer clip is cut to its best stretch of speech where the family allows.
 */
async function checkFitted(raw: number, clip: MonoAudio, policy: ReferencePolicy, owner: string, param: string, vadModel: string | undefined): Promise<FittedReference> {
  if (raw < MIN_REFERENCE_SECONDS) {
    throw new InvalidRequestError(`${param} is ${raw.toFixed(2)} s long; send a clip of at least ${MIN_REFERENCE_SECONDS} s (3-20 s works best)`, param, 'audio_too_short');
  }
  const voiced = durationSeconds(clip);
  if (voiced < MIN_REFERENCE_SECONDS) {
    throw new InvalidRequestError(`${param} holds only ${voiced.toFixed(2)} s of sound once silence is trimmed; send a clip with at least ${MIN_REFERENCE_SECONDS} s of speech`, param, 'audio_too_short');
  }
  if (voiced <= policy.maxSeconds) return { audio: clip };
  if (policy.overLength === 'reject') {
    throw new InvalidRequestError(
      `${param} holds ${voiced.toFixed(1)} s of sound; ${describeReferenceRule(policy, owner)}. Cut the clip and its transcript to at most ${policy.maxSeconds} s.`,
      param,
      'audio_too_long',
    );
  }
  const audio = vadModel
    ? await bestSpeechStretchOffThread(clip, policy.maxSeconds, vadModel)
    : { samples: clip.samples.slice(0, Math.round(policy.maxSeconds * policy.sampleRate)), sampleRate: clip.sampleRate };
  return { audio, trimmed: { fromSeconds: raw, toSeconds: durationSeconds(audio) } };
}
