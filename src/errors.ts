import { didYouMean } from './did-you-mean.js';

/**
 * Every error a client can see: an HTTP status plus OpenAI's error body
 * `{"error": {"message", "type", "param", "code"}}`. Messages say what to fix.
 */
export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'server_error' | 'service_unavailable';

export interface OpenAiErrorBody {
  error: { message: string; type: ErrorType; param: string | null; code: string | null };
}

/**
 * Every `code` a client can get, with the one HTTP status it comes with and what it means: the
 * catalogue a client matches on, and the one the API document lists. An error whose code is not
 * here does not compile.
 */
export const ERROR_CODES = {
  invalid_value: { status: 400, meaning: 'A field has a value the server cannot use; `param` names it.' },
  invalid_type: { status: 400, meaning: 'A field has the wrong JSON type; `param` names it.' },
  invalid_json: { status: 400, meaning: 'The body is empty or not a JSON object.' },
  invalid_request: { status: 400, meaning: 'The request is malformed in a way the HTTP layer caught (bad headers, bad body framing).' },
  invalid_url: { status: 400, meaning: 'The URL cannot be decoded.' },
  invalid_content_type: { status: 400, meaning: 'The route takes multipart/form-data and got something else.' },
  invalid_multipart: { status: 400, meaning: 'The multipart/form-data body cannot be read.' },
  missing_file: { status: 400, meaning: 'The multipart form has no `file` part.' },
  invalid_audio: { status: 400, meaning: 'The audio is empty, damaged, or in no format the server decodes.' },
  audio_too_long: { status: 400, meaning: 'The audio is longer than the server accepts.' },
  audio_too_short: { status: 400, meaning: 'A reference clip is shorter than the model needs (or is mostly silence).' },
  invalid_base64: { status: 400, meaning: '`ref_audio` (or a saved voice\'s `audio`) is not base64; URLs are never fetched.' },
  file_not_found: { status: 400, meaning: '`ref_audio` names a path with no file in the allowed folder.' },
  not_a_regular_file: { status: 400, meaning: '`ref_audio` names a folder, device or link, not a file.' },
  missing_ref_audio: { status: 400, meaning: 'The request needs a reference clip (`ref_text` without `ref_audio`, or a model that only clones).' },
  missing_ref_text: { status: 400, meaning: 'The model conditions on the clip\'s transcript and `ref_text` is missing.' },
  missing_transcript: { status: 400, meaning: 'The saved voice has no transcript and the model needs one.' },
  transcript_too_short: { status: 400, meaning: 'The transcript has far fewer words than the clip holds; send all the words spoken.' },
  paths_not_allowed: { status: 400, meaning: '`ref_audio` looks like a path, and the server allows no folder of clips.' },
  unsupported_control: { status: 400, meaning: 'The model does not honour a control (temperature, seed, num_steps…); `param` names it.' },
  cloning_not_supported: { status: 400, meaning: 'The model cannot clone voices; it never falls back to a preset voice silently.' },
  unsupported_response_format: { status: 400, meaning: 'The `response_format` is not one the route produces.' },
  encoder_unavailable: { status: 400, meaning: 'The format needs a program that is not installed on the server (ffmpeg for aac).' },
  unsupported_language: { status: 400, meaning: 'The model does not know the `language` asked for.' },
  translation_not_supported: { status: 400, meaning: 'The model cannot translate (only Whisper does).' },
  similarity_unavailable: { status: 400, meaning: '`speaker_similarity` needs a speaker-embedding model that is not installed.' },
  diarization_unavailable: { status: 400, meaning: 'Labelling speakers needs speaker models that are not installed.' },
  chunking_strategy_required: { status: 400, meaning: 'Diarizing long audio needs `chunking_strategy`.' },
  invalid_reference: { status: 400, meaning: 'A `known_speaker_references[]` entry is neither a data URL of audio nor a saved voice.' },
  invalid_reference_length: { status: 400, meaning: 'A `known_speaker_references[]` clip is outside the allowed length.' },
  known_speakers_mismatch: { status: 400, meaning: '`known_speaker_names[]` and `known_speaker_references[]` differ in length.' },
  unknown_voice: { status: 400, meaning: 'The model has no preset or saved voice by the name in `voice`; the message lists them.' },
  wrong_model_task: { status: 400, meaning: 'The model does the other task (speech-to-text asked to speak, or the reverse).' },
  empty_audio: { status: 400, meaning: 'The model made no audio for the input.' },
  text_not_spoken: { status: 400, meaning: 'The model dropped part of the input (text in a language or script it cannot speak).' },
  output_too_long: { status: 400, meaning: 'The model made far more audio than the input needs and was stopped.' },
  invalid_voice_name: { status: 400, meaning: 'A voice name holds characters other than letters, digits, - and _, or is too long.' },
  unsupported_intent: { status: 400, meaning: '`GET /v1/realtime` was asked for a session other than `intent=transcription`.' },
  missing_intent: { status: 400, meaning: '`GET /v1/realtime` names neither `intent=transcription` nor a speech-to-text `model`.' },
  invalid_event: { status: 400, meaning: 'Live sessions: a WebSocket message that is not an event the session takes (unknown type, binary frame).' },
  invalid_audio_format: { status: 400, meaning: 'Live sessions: the audio is not what the session declared (a file header, an odd byte count for 16-bit PCM).' },
  audio_too_fast: { status: 400, meaning: 'Live sessions: audio arrives faster than real time beyond the burst allowance; the chunk was dropped.' },
  input_audio_buffer_full: { status: 400, meaning: 'Live sessions: a manual turn holds the most audio the model takes at once; commit or clear it.' },
  input_audio_buffer_commit_empty: { status: 400, meaning: 'Live sessions: commit with less than 100 ms of audio in the open turn.' },
  vad_unavailable: { status: 400, meaning: 'Live sessions: `server_vad` asked for, and the Silero VAD model is not installed.' },
  session_idle_timeout: { status: 408, meaning: 'Live sessions: no event from the client for the idle timeout; the session was closed.' },
  invalid_api_key: { status: 401, meaning: 'The API key is missing or wrong.' },
  forbidden: { status: 403, meaning: 'The request is not allowed.' },
  offline: { status: 403, meaning: 'The server runs with --offline and downloads nothing: pull where there is network, or restart it without --offline.' },
  cross_site_request: { status: 403, meaning: 'A browser request from another site, or through a host name the server does not answer to, with no API key set.' },
  not_found: { status: 404, meaning: 'No route for this method and path.' },
  model_not_found: { status: 404, meaning: 'No model with this id is installed (the message says how to pull it when the catalogue knows it).' },
  voice_not_found: { status: 404, meaning: 'No saved voice with this name.' },
  conflict: { status: 409, meaning: 'The request conflicts with the server\'s state.' },
  voice_exists: { status: 409, meaning: 'A saved voice (or a preset voice) already has this name.' },
  model_busy: { status: 409, meaning: 'The model has jobs running or waiting and cannot be unloaded now.' },
  payload_too_large: { status: 413, meaning: 'The body, the upload or a field is larger than the server accepts.' },
  uri_too_long: { status: 414, meaning: 'A part of the URL path is too long.' },
  unsupported_media_type: { status: 415, meaning: 'The body is neither JSON nor multipart/form-data.' },
  internal_error: { status: 500, meaning: 'A bug: the server log has the details (quote the X-Request-Id).' },
  engine_error: { status: 500, meaning: 'The speech engine failed on this input.' },
  download_failed: { status: 502, meaning: 'A model download failed upstream (unreachable, 404, cut off).' },
  checksum_mismatch: { status: 502, meaning: 'A downloaded model did not match its catalogue size or SHA-256.' },
  bad_archive: { status: 502, meaning: 'A downloaded archive did not unpack into a model the server can use.' },
  invalid_catalogue_entry: { status: 502, meaning: 'A catalogue entry cannot be pulled as written.' },
  server_busy: { status: 503, meaning: 'The model\'s queue is full; retry after `retry-after-ms` milliseconds (`Retry-After`: the same in whole seconds), the client\'s turn.' },
  model_unavailable: { status: 503, meaning: 'The model is being pulled, failed to pull, or is installed but cannot load.' },
  not_ready: { status: 503, meaning: 'The server is not ready: no model installed yet, or shutting down.' },
  draining: { status: 503, meaning: 'The server is shutting down and takes no new requests; send them to another replica.' },
  voice_store_unavailable: { status: 503, meaning: 'The shared voice store (PostgreSQL) cannot be reached.' },
  insufficient_storage: { status: 507, meaning: 'The server\'s disk is full; nothing was saved.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** OpenAI's error `type` for a status: the families its SDKs branch on. */
export function errorType(status: number): ErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 503) return 'service_unavailable';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/**
 * The one base of every error a client can see. Layers below the server say only what went wrong
 * (a `code` from ERROR_CODES, a message saying what to do, the field at fault); the HTTP status
 * and OpenAI type follow from the code, so one code always means one status.
 */
export class VocableError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get type(): ErrorType {
    return errorType(this.status);
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export class InvalidRequestError extends VocableError {
  constructor(message: string, param: string | null = null, code: ErrorCode = 'invalid_value') {
    super(code, message, param);
  }
}

export class PayloadTooLargeError extends VocableError {
  constructor(message: string, param: string | null = null) {
    super('payload_too_large', message, param);
  }
}

export class ModelNotFoundError extends VocableError {
  constructor(model: string, installed: readonly string[]) {
    const list = installed.length > 0 ? installed.join(', ') : 'none (pull one with `vocable pull <id>`, or put a model folder in the models directory)';
    super('model_not_found', `The model '${model}' does not exist.${didYouMean(model, installed)} Installed models: ${list}.`, 'model');
  }
}

/** A catalogue model that could be pulled but is not installed. */
export class ModelNotInstalledError extends VocableError {
  constructor(model: string) {
    super('model_not_found', `The model '${model}' is not installed. Pull it with \`vocable pull ${model}\` or POST /v1/models/pull {"model": "${model}"}.`, 'model');
  }
}

export class PermissionError extends VocableError {
  constructor(message: string, param: string | null = null, code: ErrorCode = 'forbidden') {
    super(code, message, param);
  }
}

export class ConflictError extends VocableError {
  constructor(message: string, param: string | null = null, code: ErrorCode = 'conflict') {
    super(code, message, param);
  }
}

export class AuthenticationError extends VocableError {
  constructor(message: string) {
    super('invalid_api_key', message);
  }
}

export class RouteNotFoundError extends VocableError {
  constructor(method: string, url: string) {
    super('not_found', `No route for ${method} ${url}. See GET /v1/models and POST /v1/audio/speech.`);
  }
}

/**
 * The server is at capacity. `Retry-After` (whole seconds, as HTTP has it) and `retry-after-ms`
 * (which OpenAI's SDKs read first) tell clients when to come back.
 */
export class ServiceBusyError extends VocableError {
  constructor(
    message: string,
    readonly retryAfterMs = 1000,
  ) {
    super('server_busy', message);
  }

  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}

export class ModelUnavailableError extends VocableError {
  constructor(message: string) {
    super('model_unavailable', message, 'model');
  }
}

export class EngineError extends VocableError {
  constructor(message: string) {
    super('engine_error', message);
  }
}

/** A model download that failed upstream (unreachable, 404, cut off) or arrived corrupt. */
export type DownloadErrorCode = 'download_failed' | 'checksum_mismatch' | 'bad_archive' | 'invalid_catalogue_entry';

export class DownloadError extends VocableError {
  declare readonly code: DownloadErrorCode;

  constructor(
    message: string,
    code: DownloadErrorCode = 'download_failed',
    /** True when the part downloaded so far is worth keeping: the next pull resumes it. */
    readonly resumable = false,
  ) {
    super(code, message);
  }
}

/** The disk is full: nothing was saved. */
export class InsufficientStorageError extends VocableError {
  constructor(message: string) {
    super('insufficient_storage', message);
  }
}

/** The shared voice store (PostgreSQL) cannot be reached: saved voices wait for it; everything else works. */
export class VoiceStoreUnavailableError extends VocableError {
  constructor(message: string) {
    super('voice_store_unavailable', message, 'voice');
  }
}
