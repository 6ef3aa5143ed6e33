import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { DEFAULT_MODEL_IDS, loadCatalogue } from '../catalogue/catalogue.js';
import { DEFAULT_VOICE_PACK_IDS } from '../catalogue/voice-packs.js';
import { resolveConfig, type Config } from '../config.js';
import { discoverModels, type Discovery } from '../engine/discovery.js';
import { describeProgress, type ModelInstaller } from '../pull/model-installer.js';
import { buildApp } from '../server/app.js';
import { refuseOpenServer, servesOpenNetwork } from './open-server-check.js';

const isEmpty = (discovery: Discovery) => discovery.models.length === 0 && discovery.broken.length === 0 && discovery.vadModel === undefined;

/**
 * First start with an empty models folder: pull the default models one by one, logging progress
 * every 10%. The server is already listening; until a model lands, asking for it is a 503 that
 * says it is downloading, or why its pull failed.
 */
async function pullDefaults(installer: ModelInstaller, log: FastifyBaseLogger): Promise<void> {
  const defaults = [...DEFAULT_MODEL_IDS, ...DEFAULT_VOICE_PACK_IDS];
  log.info(`the models folder is empty: pulling the defaults (${defaults.join(', ')}); start with --offline to skip this`);
  for (const id of DEFAULT_MODEL_IDS) {
    const entry = installer.catalogue.find(id);
    if (entry?.commercialUse === false) log.warn(`default model ${id} is not for commercial use: ${entry.licence}`);
  }
  for (const id of defaults) {
    let lastDecile = -1;
    try {
      const outcome = await installer.pull(id, (progress) => {
        const decile = progress.phase === 'download' && progress.totalBytes ? Math.floor((10 * progress.receivedBytes) / progress.totalBytes) : lastDecile;
        if (progress.phase !== 'download' || decile !== lastDecile) log.info(`pull ${id}: ${describeProgress(progress)}`);
        lastDecile = decile;
      });
      log.info(`pull ${id}: ${outcome}`);
    } catch (error) {
      log.error(`pull ${id} failed: ${(error as Error).message}`);
    }
  }
}

/** How long a shutdown waits for requests in flight (a stuck job, a client that stopped reading) before exiting anyway. */
const SHUTDOWN_GRACE_MS = 30_000;
/** While shutting down, a connection closes this soon after its last response is sent (Node adds a second of margin). */
const SHUTDOWN_KEEP_ALIVE_MS = 100;

/**
 * SIGINT/SIGTERM: drain, then stop listening, let requests in flight finish, exit 0. Draining
 * (`--drain-seconds`, 0 by default) keeps serving while /ready answers 503, so a balancer that
 * polls it moves new requests elsewhere before the port closes and none is refused. Idle
 * connections close at once; one still answering would otherwise stay open for the whole
 * keep-alive timeout after its response. A second signal, or the grace period running out,
 * exits at once with 1.
 */
function closeOnSignals(app: FastifyInstance, startDraining: () => void, drainSeconds: number): void {
  let closing = false;
  const close = () => {
    // Node arms each connection's keep-alive timer from this once its response is flushed; closeIdleConnections() instead cuts a large response still in the socket's buffer.
    app.server.keepAliveTimeout = SHUTDOWN_KEEP_ALIVE_MS;
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'closing failed');
        process.exit(1);
      },
    );
  };
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn(`${signal} again: exiting without waiting for requests in flight`);
      process.exit(1);
    }
    closing = true;
    startDraining();
    const draining = drainSeconds > 0 ? `draining for ${drainSeconds} s (/ready answers 503), then ` : '';
    app.log.info(`${signal}: ${draining}closing after the requests in flight (${signal} again to exit at once)`);
    setTimeout(() => {
      app.log.error(`requests still in flight after ${SHUTDOWN_GRACE_MS / 1000} s: exiting anyway`);
      process.exit(1);
    }, drainSeconds * 1000 + SHUTDOWN_GRACE_MS).unref();
    setTimeout(close, drainSeconds * 1000);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** Starts the HTTP server on the configured host and port; resolves once it listens. */
export async function serve(flags: Partial<Record<keyof Config, unknown>>): Promise<void> {
  const config = resolveConfig(flags);
  refuseOpenServer(config);
  const [discovery, catalogue] = await Promise.all([discoverModels(config.modelsDir), loadCatalogue(config.catalogue)]);
  const { app, pool, installer, startDraining } = buildApp(config, discovery, { catalogue });
  const ids = pool.list().map((m) => `${m.id} (${m.family.displayName})`);
  app.log.info(`models in ${config.modelsDir}: ${ids.length > 0 ? ids.join(', ') : 'none — pull some (vocable pull <id>) or put model folders there (see README)'}`);
  closeOnSignals(app, startDraining, config.drainSeconds);
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info(`playground: ${address}/ (API at ${address}/v1, reference at ${address}/docs)`);
  if (servesOpenNetwork(config)) app.log.warn(`open server (--allow-open): anyone who can reach ${config.host}:${config.port} can use it without a key`);
  if (config.apiKey) app.log.info('API key required on every route but /health, /ready and the playground page');
  if (isEmpty(discovery) && !config.offline) void pullDefaults(installer, app.log);
}
