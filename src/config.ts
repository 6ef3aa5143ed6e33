import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { z } from 'zod';

/** A switch: a flag's `true`, or an environment value 1/true/0/false. */
const onOff = z.union([z.boolean(), z.enum(['1', 'true', '0', 'false']).transform((v) => v === '1' || v === 'true')]);

/** An object setting: as itself from a file or flag, as JSON text from the environment. */
const jsonObject = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }, schema);

/** One typed configuration: defaults < config file (--config) < environment (VOCABLE_*) < command-line flags. */
export const configSchema = z.object({
  /** A JSON file of settings (these same names), read before the environment and flags. */
  config: z.string().min(1).optional(),
  /** Model names that stand for installed models, e.g. {"tts-1": "kokoro-en-v0_19"}; OpenAI's names default to the installed default model. */
  modelAliases: jsonObject(z.record(z.string().min(1), z.string().min(1))),
  /**
   * The voice an OpenAI voice name (alloy, echo, …) becomes, per model id, family id or "*":
   * {"kokoro": {"alloy": "af_bella"}, "*": {"nova": "my-saved-voice"}}; a preset or a saved voice.
   */
  voiceAliases: jsonObject(z.record(z.string().min(1), z.record(z.string().min(1), z.string().min(1)))),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  modelsDir: z.string().min(1),
  /** Where saved voices (and other server state) live. */
  dataDir: z.string().min(1),
  /** Where saved voices live when not in dataDir: a PostgreSQL URL shared by every replica. */
  voiceStore: z
    .string()
    .regex(/^postgres(ql)?:\/\/./, 'must be a PostgreSQL URL, postgres://user:password@host:5432/database (unset: files in the data directory)')
    .optional(),
  /** After SIGTERM, seconds /ready answers 503 (so a balancer stops sending) before the server stops listening. */
  drainSeconds: z.coerce.number().min(0).max(600),
  /** A folder whose files `ref_audio` may name by path; unset, paths are refused. */
  refAudioDir: z.string().min(1).optional(),
  /** Resident memory the loaded models may take before the least recently used is unloaded. */
  memoryBudgetBytes: z.coerce.number().int().positive(),
  /** A model unused this long is unloaded; 0 keeps models loaded. */
  idleUnloadSeconds: z.coerce.number().min(0),
  apiKey: z.string().min(1).optional(),
  /** Accept listening beyond loopback without an API key (refused otherwise, as Redis's protected mode does). */
  allowOpen: onOff,
  /** Browser origins allowed to call the API from other sites (CORS); a comma list in the environment. */
  corsOrigins: z.union([z.array(z.string()), z.string().transform((list) => list.split(','))]).transform((list) => list.map((o) => o.trim()).filter((o) => o.length > 0)),
  /** Largest reference clip accepted, in bytes after base64 decoding. */
  maxRefAudioBytes: z.coerce.number().int().positive(),
  /** Largest audio upload for transcription, in bytes. */
  maxUploadBytes: z.coerce.number().int().positive(),
  /** Longest audio transcribed per request, in seconds: decoding stops there (a long, silent, highly compressed file is no more work than this). */
  maxAudioSeconds: z.coerce.number().positive(),
  /** Longest speech input, in characters. */
  maxInputChars: z.coerce.number().int().positive(),
  /** Requests waiting per loaded model beyond the one running; past it the server answers 503. */
  maxQueue: z.coerce.number().int().min(0),
  /** Threads ONNX Runtime uses per model instance. */
  numThreads: z.coerce.number().int().positive(),
  /** Instances of each model (engines running jobs side by side, each with numThreads threads and its own memory). */
  instances: z.coerce.number().int().positive(),
  /** Bytes of request bodies held at once by requests in flight; past it new requests get 503 before their body is read. */
  maxBufferedBytes: z.coerce.number().int().positive(),
  /** Threads of the audio worker pool (decoding, resampling, VAD, encoding). */
  workerThreads: z.coerce.number().int().positive(),
  /** Whole request (headers and body) must arrive within this many seconds (408 after). */
  requestTimeoutSeconds: z.coerce.number().positive(),
  /** Request headers must arrive within this many seconds. */
  headersTimeoutSeconds: z.coerce.number().positive(),
  /** An idle keep-alive connection closes after this many seconds. */
  keepAliveTimeoutSeconds: z.coerce.number().positive(),
  /** Open connections held at once; past it new ones are closed on arrival. */
  maxConnections: z.coerce.number().int().positive(),
  /** Open connections from one client address (a reverse proxy counts as one client). */
  maxConnectionsPerAddress: z.coerce.number().int().positive(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Readable lines on a terminal and JSON otherwise (auto), or always one of them. */
  logFormat: z.enum(['auto', 'pretty', 'json']),
  /** Never download: no default models on first start. */
  offline: onOff,
  /** A JSON file of catalogue entries added to (or overriding) the built-in ones. */
  catalogue: z.string().min(1).optional(),
});

export type Config = z.infer<typeof configSchema>;

/** ONNX Runtime's speed-up on these models flattens past about four threads, so more cores go to more instances. */
const THREADS_PER_INSTANCE_CAP = 4;

/**
 * Defaults from the core count: each model gets up to four threads, and one instance per four
 * cores; the audio workers get a thread per core (they wait on the engine much of the time).
 */
export function engineThreadDefaults(cores: number): Pick<Config, 'numThreads' | 'instances' | 'workerThreads'> {
  return {
    numThreads: Math.max(1, Math.min(THREADS_PER_INSTANCE_CAP, cores)),
    instances: Math.max(1, Math.floor(cores / THREADS_PER_INSTANCE_CAP)),
    workerThreads: Math.max(1, cores),
  };
}

export const DEFAULT_CONFIG: Config = {
  host: '127.0.0.1',
  port: 8000,
  modelsDir: './models',
  dataDir: './data',
  drainSeconds: 0,
  memoryBudgetBytes: Math.floor(totalmem() / 2),
  idleUnloadSeconds: 0,
  maxRefAudioBytes: 20 * 1024 * 1024,
  maxInputChars: 4096,
  maxAudioSeconds: 3600,
  maxBufferedBytes: 256 * 1024 * 1024,
  maxUploadBytes: 25 * 1024 * 1024,
  maxQueue: 16,
  ...engineThreadDefaults(availableParallelism()),
  // Node's own default: a 25 MB upload at 1 Mbit/s takes 200 s.
  requestTimeoutSeconds: 300,
  headersTimeoutSeconds: 20,
  keepAliveTimeoutSeconds: 5,
  maxConnections: 1024,
  maxConnectionsPerAddress: 256,
  logLevel: 'info',
  logFormat: 'auto',
  offline: false,
  allowOpen: false,
  corsOrigins: [],
  modelAliases: {},
  voiceAliases: {},
};

const ENV_NAMES: Record<keyof Config, string> = {
  config: 'VOCABLE_CONFIG',
  modelAliases: 'VOCABLE_MODEL_ALIASES',
  voiceAliases: 'VOCABLE_VOICE_ALIASES',
  host: 'VOCABLE_HOST',
  port: 'VOCABLE_PORT',
  modelsDir: 'VOCABLE_MODELS_DIR',
  dataDir: 'VOCABLE_DATA_DIR',
  voiceStore: 'VOCABLE_VOICE_STORE',
  drainSeconds: 'VOCABLE_DRAIN_SECONDS',
  refAudioDir: 'VOCABLE_REF_AUDIO_DIR',
  memoryBudgetBytes: 'VOCABLE_MEMORY_BUDGET_BYTES',
  idleUnloadSeconds: 'VOCABLE_IDLE_UNLOAD_SECONDS',
  apiKey: 'VOCABLE_API_KEY',
  allowOpen: 'VOCABLE_ALLOW_OPEN',
  corsOrigins: 'VOCABLE_CORS_ORIGINS',
  maxRefAudioBytes: 'VOCABLE_MAX_REF_AUDIO_BYTES',
  maxInputChars: 'VOCABLE_MAX_INPUT_CHARS',
  maxAudioSeconds: 'VOCABLE_MAX_AUDIO_SECONDS',
  maxUploadBytes: 'VOCABLE_MAX_UPLOAD_BYTES',
  maxQueue: 'VOCABLE_MAX_QUEUE',
  numThreads: 'VOCABLE_NUM_THREADS',
  instances: 'VOCABLE_INSTANCES',
  workerThreads: 'VOCABLE_WORKER_THREADS',
  maxBufferedBytes: 'VOCABLE_MAX_BUFFERED_BYTES',
  requestTimeoutSeconds: 'VOCABLE_REQUEST_TIMEOUT_SECONDS',
  headersTimeoutSeconds: 'VOCABLE_HEADERS_TIMEOUT_SECONDS',
  keepAliveTimeoutSeconds: 'VOCABLE_KEEP_ALIVE_TIMEOUT_SECONDS',
  maxConnections: 'VOCABLE_MAX_CONNECTIONS',
  maxConnectionsPerAddress: 'VOCABLE_MAX_CONNECTIONS_PER_ADDRESS',
  logLevel: 'VOCABLE_LOG_LEVEL',
  logFormat: 'VOCABLE_LOG_FORMAT',
  offline: 'VOCABLE_OFFLINE',
  catalogue: 'VOCABLE_CATALOGUE',
};

export function envName(key: keyof Config): string {
  return ENV_NAMES[key];
}

export class ConfigError extends Error {}

/** The settings in a JSON config file, checked for names this configuration does not have (a typo would silently do nothing). */
function readConfigFile(path: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read the config file ${path}: ${(error as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`The config file ${path} must hold a JSON object of settings`);
  const known = new Set<string>(Object.keys(ENV_NAMES));
  const unknown = Object.keys(raw).filter((key) => !known.has(key) || key === 'config');
  if (unknown.length > 0) throw new ConfigError(`The config file ${path} has unknown settings: ${unknown.join(', ')}. Known: ${[...known].filter((k) => k !== 'config').join(', ')}`);
  return raw as Record<string, unknown>;
}

export function resolveConfig(flags: Partial<Record<keyof Config, unknown>>, env: NodeJS.ProcessEnv = process.env): Config {
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const file = (flags.config as string | undefined) ?? (env[ENV_NAMES.config] || undefined);
  if (file !== undefined) Object.assign(merged, readConfigFile(file), { config: file });
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  for (const [key, value] of Object.entries(flags)) {
    if (value !== undefined) merged[key] = value;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]) as keyof Config;
    const where = issue.path.length > 1 ? `${key}.${issue.path.slice(1).join('.')}` : key;
    throw new ConfigError(`Invalid setting ${where} (flag, ${ENV_NAMES[key] ?? key} or config file): ${issue.message}`);
  }
  return parsed.data;
}
