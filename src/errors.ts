/**
 * Every error a client can see: an HTTP status plus OpenAI's error body
 * `{"error": {"message", "type", "param", "code"}}`. Messages say what to fix.
 */
export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'server_error' | 'service_unavailable';

export interface OpenAiErrorBody {
  error: { message: string; type: ErrorType; param: string | null; code: string | null };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export class InvalidRequestError extends ApiError {
  constructor(message: string, param: string | null = null, code = 'invalid_value') {
    super(400, message, 'invalid_request_error', code, param);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(message: string, param: string | null = null) {
    super(413, message, 'invalid_request_error', 'payload_too_large', param);
  }
}

export class ModelNotFoundError extends ApiError {
  constructor(model: string, installed: readonly string[]) {
    const list = installed.length > 0 ? installed.join(', ') : 'none (pull one with `vocable pull <id>`, or put a model folder in the models directory)';
    super(404, `The model '${model}' does not exist. Installed models: ${list}.`, 'invalid_request_error', 'model_not_found', 'model');
  }
}

/** A catalogue model that could be pulled but is not installed. */
export class ModelNotInstalledError extends ApiError {
  constructor(model: string) {
    super(404, `The model '${model}' is not installed. Pull it with \`vocable pull ${model}\` or POST /v1/models/pull {"model": "${model}"}.`, 'invalid_request_error', 'model_not_found', 'model');
  }
}

export class PermissionError extends ApiError {
  constructor(message: string, param: string | null = null, code = 'forbidden') {
    super(403, message, 'permission_error', code, param);
  }
}

export class ConflictError extends ApiError {
  constructor(message: string, param: string | null = null, code = 'conflict') {
    super(409, message, 'invalid_request_error', code, param);
  }
}

export class AuthenticationError extends ApiError {
  constructor(message: string) {
    super(401, message, 'authentication_error', 'invalid_api_key');
  }
}

export class RouteNotFoundError extends ApiError {
  constructor(method: string, url: string) {
    super(404, `No route for ${method} ${url}. See GET /v1/models and POST /v1/audio/speech.`, 'invalid_request_error', 'not_found');
  }
}

/** The server is at capacity; `Retry-After` tells clients (and the SDKs' retry) when to come back. */
export class ServiceBusyError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(503, message, 'service_unavailable', 'server_busy');
  }
}

export class ModelUnavailableError extends ApiError {
  constructor(message: string) {
    super(503, message, 'service_unavailable', 'model_unavailable', 'model');
  }
}

export class EngineError extends ApiError {
  constructor(message: string) {
    super(500, message, 'server_error', 'engine_error');
  }
}

/** A model download that failed upstream (unreachable, 404, cut off) or arrived corrupt. */
export type DownloadErrorCode = 'download_failed' | 'checksum_mismatch' | 'bad_archive' | 'invalid_catalogue_entry';

export class DownloadError extends ApiError {
  declare readonly code: DownloadErrorCode;

  constructor(
    message: string,
    code: DownloadErrorCode = 'download_failed',
    /** True when the part downloaded so far is worth keeping: the next pull resumes it. */
    readonly resumable = false,
  ) {
    super(502, message, 'server_error', code);
  }
}

/** The disk is full: nothing was saved. */
export class InsufficientStorageError extends ApiError {
  constructor(message: string) {
    super(507, message, 'server_error', 'insufficient_storage');
  }
}

/** The shared voice store (PostgreSQL) cannot be reached: saved voices wait for it; everything else works. */
export class VoiceStoreUnavailableError extends ApiError {
  constructor(message: string) {
    super(503, message, 'service_unavailable', 'voice_store_unavailable', 'voice');
  }
}
