import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ModelPool } from '../engine/model-pool.js';

/** What a model did for a request: speech, or a transcription or translation. */
export type ModelTask = 'speech' | 'transcribe' | 'translate';

export interface ModelWork {
  model: string;
  task: ModelTask;
  /** The audio made or heard; read once the response is sent, so a meter still counting during a stream is read complete. */
  audio: { readonly seconds: number };
}

const workByRequest = new WeakMap<FastifyRequest, ModelWork>();

/** Called by a route once it knows the model and the audio; the metrics are recorded when the response ends. */
export function recordModelWork(request: FastifyRequest, work: ModelWork): void {
  workByRequest.set(request, work);
}

/** Speech requests run from milliseconds (a word) to minutes (a long text on a slow CPU). */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Below 1 is faster than real time. */
const REALTIME_FACTOR_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

/** The route pattern (`/v1/models/:id`), never the raw URL, so client-chosen paths cannot add label values. */
function routeLabel(request: FastifyRequest): string {
  return request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
}

/**
 * A Prometheus registry for this app (one per instance: tests build many apps in one process),
 * with Node's process metrics, request counts and latencies by route, per-model work and real-time
 * factor, and the model pool's state read at scrape time.
 */
export function installMetrics(app: FastifyInstance, pool: ModelPool): Registry {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({ name: 'vocable_http_requests_total', help: 'HTTP requests answered, by route pattern, method and status.', labelNames: ['route', 'method', 'status'], registers });
  const httpDuration = new Histogram({ name: 'vocable_http_request_duration_seconds', help: 'Time from request to the end of the response, by route pattern and method.', labelNames: ['route', 'method'], buckets: DURATION_BUCKETS, registers });
  const modelRequests = new Counter({ name: 'vocable_model_requests_total', help: 'Successful requests served by each model.', labelNames: ['model', 'task'], registers });
  const modelDuration = new Histogram({ name: 'vocable_model_request_duration_seconds', help: 'Time of successful model requests, queue wait included.', labelNames: ['model', 'task'], buckets: DURATION_BUCKETS, registers });
  const realtimeFactor = new Histogram({ name: 'vocable_realtime_factor', help: 'Request seconds (queue wait included) per second of audio made or heard.', labelNames: ['model', 'task'], buckets: REALTIME_FACTOR_BUCKETS, registers });

  // Read from the pool at scrape time: the pool stays the one source of truth.
  const perModel = (read: (id: string) => number) =>
    function collect(this: Gauge<'model'>) {
      this.reset();
      for (const model of pool.list()) this.set({ model: model.id }, read(model.id));
    };
  new Gauge({ name: 'vocable_queue_depth', help: 'Jobs running or waiting on each model.', labelNames: ['model'], registers, collect: perModel((id) => pool.state(id).queue_depth) });
  new Gauge({ name: 'vocable_model_loaded', help: '1 when the model is loaded in memory.', labelNames: ['model'], registers, collect: perModel((id) => Number(pool.state(id).loaded)) });
  // 0 when unloaded, so the sum is the memory the loaded models take, comparable with the budget.
  const loadedBytes = (id: string) => (pool.state(id).loaded ? pool.state(id).memory_bytes : 0);
  new Gauge({ name: 'vocable_model_memory_bytes', help: 'Estimated memory a loaded model takes (0 when not loaded).', labelNames: ['model'], registers, collect: perModel(loadedBytes) });

  app.addHook('onResponse', async (request, reply) => {
    const seconds = reply.elapsedTime / 1000;
    const route = routeLabel(request);
    httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) });
    httpDuration.observe({ route, method: request.method }, seconds);
    const work = workByRequest.get(request);
    if (!work || reply.statusCode >= 400) return;
    const labels = { model: work.model, task: work.task };
    modelRequests.inc(labels);
    modelDuration.observe(labels, seconds);
    if (work.audio.seconds > 0) realtimeFactor.observe(labels, seconds / work.audio.seconds);
  });
  return registry;
}
