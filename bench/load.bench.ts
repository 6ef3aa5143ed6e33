/**
 * Load: N concurrent clients (half speech — kokoro, wav, one sentence — half transcription —
 * sensevoice, a 1.8 s clip) against an in-process server on a loopback port, with a small
 * per-model queue so the highest concurrency is shed with 503s. Per scenario: requests,
 * throughput, latency percentiles, 503s, other errors, the server's event-loop delay (p99) and
 * the latency of a /health probe running beside the load; every request sent must be answered.
 * The clients run in a worker thread so that the event-loop figure is the server's alone.
 * Fixture models make tones, not speech: the figures measure Vocable's plumbing and queueing.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { discoverModels } from '../src/engine/discovery.js';
import { buildApp } from '../src/server/app.js';
import { percentile, table } from './harness.js';
import { BUSY_BACKOFF_MS, HEALTH_EVERY_MS, MAX_REQUESTS, runClients, type Kind, type Outcome, type Plan } from './load-clients.js';

const CONCURRENCY = [4, 16, 64];
const SECONDS = Math.min(20, Number(process.env.BENCH_SECONDS ?? 10));
/** Waiting requests allowed per model: 16 clients (8 per model) fit, 64 (32 per model) do not. */
const MAX_QUEUE = 8;
const CLIP = 'spk2_snt2.wav';

/** A worker running the clients; tsx is loaded in it by hand, since Node 20 workers do not take the parent's loader. */
function clientsWorker(plan: Plan): Promise<Outcome> {
  const clients = new URL('./load-clients.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(clients)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(boot, { eval: true, workerData: plan });
  return new Promise<Outcome>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  }).finally(() => void worker.terminate());
}

async function multipartUpload(): Promise<{ upload: Uint8Array<ArrayBuffer>; uploadType: string }> {
  const form = new FormData();
  form.append('model', 'sensevoice');
  form.append('file', new Blob([new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'test', 'data', 'speech', CLIP)))]), CLIP);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { upload: new Uint8Array(await request.arrayBuffer()), uploadType: request.headers.get('content-type')! };
}

const ms = (values: number[], p: number) => (values.length > 0 ? percentile(values, p).toFixed(1) : '-');

async function main(): Promise<void> {
  const modelsDir = await fixtureModelsDir();
  const { app } = buildApp({ ...DEFAULT_CONFIG, modelsDir, logLevel: 'silent', numThreads: 1, maxQueue: MAX_QUEUE }, await discoverModels(modelsDir));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const speechBody = JSON.stringify({ model: 'kokoro', voice: 'af_heart', input: 'The quick brown fox jumps over the lazy dog.', response_format: 'wav' });
  const plan = { base, seconds: SECONDS, speechBody, ...(await multipartUpload()) };

  // Warm-up: the server loads each model on first use.
  const warm = await runClients({ ...plan, clients: 2, seconds: 1 });
  if (warm.statuses.some((s) => s !== 200)) throw new Error(`warm-up failed: ${warm.statuses.join(', ')}`);

  console.log(`\nLoad on fixture models: ${SECONDS} s per scenario (at most ${MAX_REQUESTS} requests), half speech, half transcription; --max-queue ${MAX_QUEUE}; ${BUSY_BACKOFF_MS} ms back-off after a 503`);
  console.log(`(other errors: statuses besides 200 and 503, and requests with no answer; loop: the server's event-loop delay; health: a /health probe every ${HEALTH_EVERY_MS} ms beside the load)`);
  const totals: (string | number)[][] = [];
  const latency: (string | number)[][] = [];
  let unanswered = 0;
  for (const clients of CONCURRENCY) {
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const o = await clientsWorker({ ...plan, clients });
    loop.disable();
    const ok = o.statuses.filter((s) => s === 200).length;
    const busy = o.statuses.filter((s) => s === 503).length;
    const other = o.statuses.length - ok - busy + o.failures.length;
    unanswered += o.sent - o.answered;
    const seconds = o.elapsedMs / 1000;
    const okLatency = (kind: Kind) => o.latencies.filter((_, i) => o.kinds[i] === kind && o.statuses[i] === 200);
    totals.push([clients, o.sent, o.answered, ok, busy, other, (o.answered / seconds).toFixed(1), (ok / seconds).toFixed(1), (loop.percentile(99) / 1e6).toFixed(1), (loop.max / 1e6).toFixed(1), ms(o.health, 50), ms(o.health, 99), o.healthFailures]);
    latency.push([clients, ms(o.latencies, 50), ms(o.latencies, 95), ms(o.latencies, 99), ...(['speech', 'transcription'] as const).flatMap((k) => [ms(okLatency(k), 50), ms(okLatency(k), 95), ms(okLatency(k), 99)])]);
    if (o.failures.length > 0) console.log(`${clients} clients, requests without an answer: ${[...new Set(o.failures)].join('; ')}`);
  }
  table(['clients', 'sent', 'answered', '200', '503', 'other errors', 'req/s', '200 req/s', 'loop p99 ms', 'loop max ms', 'health p50 ms', 'health p99 ms', 'health failed'], totals);
  console.log('\nLatency, ms: all answers (503s included), then 200s by kind');
  table(['clients', 'all p50', 'all p95', 'all p99', 'speech p50', 'speech p95', 'speech p99', 'stt p50', 'stt p95', 'stt p99'], latency);
  console.log(unanswered === 0 ? '\nEvery request sent was answered.' : `\n${unanswered} request(s) sent got no answer.`);
  if (unanswered > 0) process.exitCode = 1;
  await app.close();
}

await main();
