import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { discoverModels, type Discovery } from '../engine/discovery.js';
import { ModelAliases } from '../engine/model-aliases.js';
import { ModelPool } from '../engine/model-pool.js';
import { closeConnectionsWithUnreadBodies, httpServerFactory } from './http-server.js';
import cors from '@fastify/cors';
import { installAccessControl } from './auth.js';
import { installLoadShedding } from './load-shedding.js';
import { setAudioWorkerThreads } from '../audio/worker-pool.js';
import { chooseSubprotocol, installWebSocketRequests } from './websocket-upgrades.js';
import { realtimeRoutes } from './routes/realtime.js';
import { textToSpeechStreamRoutes } from './routes/text-to-speech-stream.js';
import { SessionLimits } from '../realtime/session-limits.js';
import { installErrorHandling, routerErrorHandler } from './error-handler.js';
import { installRequestIdHeader, loggerOptions, requestId, type LogDestination } from './logging.js';
import { installMetrics } from './metrics.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelRoutes } from './routes/models.js';
import { defaultVoice } from '../speech/plan-speech.js';
import { speechRoutes } from './routes/speech.js';
import { transcriptionRoutes } from './routes/transcriptions.js';
import { voiceRoutes } from './routes/voices.js';
import { Catalogue, DEFAULT_MODEL_IDS } from '../catalogue/catalogue.js';
import { VoicePacks } from '../catalogue/voice-packs.js';
import { KNOWN_MODELS } from '../catalogue/known-models.js';
import { ModelInstaller } from '../pull/model-installer.js';
import { modelPullRoutes } from './routes/model-pull.js';
import { openVoiceStore } from '../voices/open-voice-store.js';
import { installedTranscriber } from '../transcription/transcribe-clip.js';

/** Text handed to the engine at once: a sentence, or clauses of a long one. */
const MAX_CHUNK_CHARS = 300;
/** JSON framing and other fields around a base64 clip of the largest allowed size. */
const BODY_SLACK_BYTES = 1024 * 1024;

/** OpenAI allows 15 MiB of audio per append event; base64 and JSON framing add a third. */
const WEBSOCKET_MAX_MESSAGE_BYTES = 21 * 1024 * 1024;
/** Live sessions: deltas twice a second, a minute of silence from the client closes it, 10 s of audio may run ahead. */
const LIVE_SESSION_TIMING = { deltaIntervalMs: 500, idleTimeoutMs: 60_000, burstSeconds: 10 };

export interface App {
  app: FastifyInstance;
  pool: ModelPool;
  installer: ModelInstaller;
  /** From now on /ready answers 503, so a balancer sends new requests elsewhere; requests still run. */
  startDraining(): void;
}

export interface AppOptions {
  /** The models `POST /v1/models/pull` may fetch; the built-in catalogue by default. */
  catalogue?: Catalogue;
  /** The voice packs `POST /v1/models/pull` may fetch; the built-in ones by default. */
  voicePacks?: VoicePacks;
  /** Where the JSON log lines go; stdout by default. */
  logDestination?: LogDestination;
  /** Live-session timing (tests shorten the idle timeout, benchmarks the pacing). */
  live?: Partial<typeof LIVE_SESSION_TIMING>;
}

/** Builds the Fastify app over the discovered models; the caller decides whether to listen. */
export function buildApp(config: Config, discovery: Discovery, options: AppOptions = {}): App {
  // Multipart uploads are limited per file by their routes; this bounds JSON bodies.
  const bodyLimit = Math.ceil((config.maxRefAudioBytes * 4) / 3) + BODY_SLACK_BYTES;
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logDestination, config.logFormat),
    genReqId: requestId,
    bodyLimit,
    frameworkErrors: routerErrorHandler,
    serverFactory: httpServerFactory(config),
  });
  setAudioWorkerThreads(config.workerThreads);
  const catalogue = options.catalogue ?? new Catalogue(KNOWN_MODELS);
  const voices = openVoiceStore(config, app.log);
  app.addHook('onClose', async () => voices.close());
  const installer = new ModelInstaller(catalogue, config.modelsDir, async () => pool.update(await discoverModels(config.modelsDir)), {
    packs: options.voicePacks ?? new VoicePacks(),
    store: voices.store,
    transcriber: () => installedTranscriber(pool),
  }, config.offline);
  const pool = new ModelPool(discovery, {
    explainMissing: (id) => installer.explainMissing(id),
    aliases: new ModelAliases(config.modelAliases, DEFAULT_MODEL_IDS),
    numThreads: config.numThreads,
    instances: config.instances,
    maxQueue: config.maxQueue,
    memoryBudgetBytes: config.memoryBudgetBytes,
    idleUnloadSeconds: config.idleUnloadSeconds,
    logger: app.log,
  });
  app.addHook('onClose', async () => pool.close());
  for (const problem of discovery.broken) app.log.warn({ model: problem.id, dir: problem.dir }, `model folder '${problem.id}' skipped: ${problem.reason}`);
  // Only JSON bodies are understood; anything else gets a 415 that says to send JSON.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app, bodyLimit);
  installRequestIdHeader(app);
  installWebSocketRequests(app);
  closeConnectionsWithUnreadBodies(app);
  if (config.corsOrigins.length > 0) app.register(cors, { origin: config.corsOrigins, strictPreflight: false, hook: 'preHandler', exposedHeaders: ['x-request-id', 'x-ignored-fields', 'x-unmeasured-fields', 'x-reference-trimmed', 'retry-after'] });
  installAccessControl(app, { apiKey: config.apiKey, allowedOrigins: config.corsOrigins, anyHost: config.allowOpen });
  installLoadShedding(app, pool, config.maxBufferedBytes);
  const metrics = installMetrics(app, pool);
  let draining = false;
  app.register(healthRoutes(pool, installer, config.modelsDir, { voiceStore: voices.health, draining: () => draining }));
  app.register(metricsRoutes(metrics));
  const speechService = {
    maxRefAudioBytes: config.maxRefAudioBytes,
    maxChunkChars: MAX_CHUNK_CHARS,
    voices: voices.store,
    refAudioDir: config.refAudioDir,
    voiceAliases: config.voiceAliases,
  };
  app.register(modelRoutes(pool, Date.now(), (model) => defaultVoice(model, speechService)));
  app.register(websocket, { options: { maxPayload: WEBSOCKET_MAX_MESSAGE_BYTES, handleProtocols: chooseSubprotocol } });
  // Live sessions per model are bounded like its HTTP requests: as many as it runs and queues.
  const liveLimits = new SessionLimits(config.instances + config.maxQueue);
  app.register(realtimeRoutes(pool, { vadModel: () => pool.vadModel, limits: liveLimits, ...LIVE_SESSION_TIMING, ...options.live }));
  app.register(import('./routes/playground.js'));
  app.register(docsRoutes({ maxInputChars: config.maxInputChars }));
  app.register(modelPullRoutes(installer));
  app.register(transcriptionRoutes(pool, { maxUploadBytes: config.maxUploadBytes, maxAudioSeconds: config.maxAudioSeconds, vadModel: () => pool.vadModel, voices: voices.store }));
  app.register(voiceRoutes({ store: voices.store, pool, maxAudioBytes: config.maxRefAudioBytes, transcriber: () => installedTranscriber(pool) }));
  app.register(speechRoutes(pool, { ...speechService, maxInputChars: config.maxInputChars }));
  app.register(textToSpeechStreamRoutes(pool, { speech: speechService, limits: liveLimits, maxInputChars: config.maxInputChars }));
  return { app, pool, installer, startDraining: () => (draining = true) };
}
