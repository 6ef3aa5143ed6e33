import { runInWorker, taskModule } from '../audio/worker-pool.js';
import { durationSeconds, type MonoAudio } from '../audio/pcm.js';
import { resample } from '../audio/resample.js';
import { trimSilence } from '../audio/trim-silence.js';
import type { ReferencePolicy } from '../engine/family.js';
import { InvalidRequestError, PayloadTooLargeError } from '../errors.js';
import type { ClipArgs, ClipResult } from './reference-task.js';

const REFERENCE_TASK = taskModule(import.meta.url, 'reference-task');

export const MIN_REFERENCE_SECONDS = 1;
/**
 * Decoding stops past this: the families keep 10-30 s of speech, and a bound on the decoded
 * length (not just the file size) keeps a highly compressed clip from becoming gigabytes of PCM.
 */
export const MAX_DECODED_REFERENCE_SECONDS = 120;
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
  return Buffer.from(payload, BASE64.test(payload) ? 'base64' : 'base64url');
}

/**
 * Turns a clip's bytes into what the family wants: decoded to mono, resampled, leading and
 * trailing silence trimmed, and cut to (or checked against) the family's longest clip.
 */
export async function prepareReferenceAudio(bytes: Uint8Array, policy: ReferencePolicy, modelId: string, param = PARAM): Promise<MonoAudio> {
  // Decoding, resampling and trimming run in the audio worker pool, off the event loop.
  // A copy is moved to the worker: callers may keep using their bytes (a clip is at most a few MB).
  const owned = new Uint8Array(bytes);
  const args: ClipArgs = { bytes: owned, sampleRate: policy.sampleRate, maxDecodedSeconds: MAX_DECODED_REFERENCE_SECONDS };
  const result = await runInWorker<ClipResult>(REFERENCE_TASK, 'prepareClip', args, [owned.buffer]);
  if ('error' in result) {
    if (result.error === 'too-long') {
      throw new InvalidRequestError(`${param} is too long: ${result.message}; send a clip of 3-20 s (at most ${MAX_DECODED_REFERENCE_SECONDS} s)`, param, 'audio_too_long');
    }
    throw new InvalidRequestError(`${param} could not be decoded: ${result.message}. Send wav, mp3, flac, ogg/opus, m4a or webm.`, param, 'invalid_audio');
  }
  return checkFitted(result.rawSeconds, { samples: result.samples, sampleRate: policy.sampleRate }, policy, modelId, param);
}

/** Resamples, trims and length-checks decoded audio for a family (saved voices, already decoded). */
export function fitReference(decoded: MonoAudio, policy: ReferencePolicy, modelId: string, param = PARAM): MonoAudio {
  const raw = durationSeconds(decoded);
  if (raw < MIN_REFERENCE_SECONDS) return checkFitted(raw, decoded, policy, modelId, param);
  return checkFitted(raw, trimSilence(resample(decoded, policy.sampleRate)), policy, modelId, param);
}

/** Checks a clip of `raw` seconds as sent, `clip` once resampled and trimmed, against the family's bounds; cuts it to length where the family allows. */
function checkFitted(raw: number, clip: MonoAudio, policy: ReferencePolicy, modelId: string, param: string): MonoAudio {
  if (raw < MIN_REFERENCE_SECONDS) {
    throw new InvalidRequestError(`${param} is ${raw.toFixed(2)} s long; send a clip of at least ${MIN_REFERENCE_SECONDS} s (3-20 s works best)`, param, 'audio_too_short');
  }
  const voiced = durationSeconds(clip);
  if (voiced < MIN_REFERENCE_SECONDS) {
    throw new InvalidRequestError(`${param} holds only ${voiced.toFixed(2)} s of sound once silence is trimmed; send a clip with at least ${MIN_REFERENCE_SECONDS} s of speech`, param, 'audio_too_short');
  }
  if (voiced <= policy.maxSeconds) return clip;
  if (policy.overLength === 'reject') {
    throw new InvalidRequestError(
      `${param} holds ${voiced.toFixed(1)} s of speech; model '${modelId}' takes clips up to ${policy.maxSeconds} s. Cut the clip and its transcript to match.`,
      param,
      'audio_too_long',
    );
  }
  return { samples: clip.samples.slice(0, Math.round(policy.maxSeconds * policy.sampleRate)), sampleRate: clip.sampleRate };
}
