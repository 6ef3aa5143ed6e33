/**
 * Replicas: the reference setup (deploy/replicas: PostgreSQL, N replicas, HAProxy) on this machine.
 * 1. Throughput through HAProxy with 1, 2 and 4 replicas: 8 clients for BENCH_SECONDS each, speech
 *    with a saved voice (pocket, one sentence, wav); requests/s, latency percentiles, failures.
 * 2. What the PostgreSQL store adds to speech with a saved voice, against the file store: one
 *    replica of each side by side (no balancer), the same requests one at a time, alternating
 *    between them; also a bare GET /v1/voices/{name}, which is the store's lookup alone.
 * Each replica runs one ONNX thread. Fixture models make tones, not speech: the figures measure
 * the plumbing, and on a machine with few cores, replicas share them.
 */
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startBalancer, startPostgres, startReplica, type Balancer, type Replica } from '../deploy/replicas/cluster.js';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { percentile, table } from './harness.js';

const SECONDS = Math.min(30, Number(process.env.BENCH_SECONDS ?? 10));
const CLIENTS = 8;
const LATENCY_REQUESTS = 150;
const CLIP = readFileSync(join(import.meta.dirname, '..', 'test', 'data', 'speech', 'spk1_snt1.wav')).toString('base64');
const SPEECH = JSON.stringify({ model: 'pocket', voice: 'bench-voice', input: 'The quick brown fox jumps over the lazy dog.', seed: 1, response_format: 'wav' });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function call(url: string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(url, { ...init, headers: init.body ? { 'content-type': 'application/json' } : {} });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${response.status}`);
  return response.status;
}

const speak = (base: string) => call(`${base}/v1/audio/speech`, { method: 'POST', body: SPEECH });

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const dir = await mkdtemp(join(tmpdir(), 'vocable-bench-replicas-'));
// PostgreSQL runs as its own user when this runs as root, and must reach its folder inside.
await chmod(dir, 0o755);
const modelsDir = await fixtureModelsDir();
const postgres = await startPostgres(join(dir, 'postgres'), await freePort());
const started: Replica[] = [];
let balancer: Balancer | undefined;
async function replica(name: string, voiceStore: string | undefined): Promise<Replica> {
  const dataDir = await mkdtemp(join(dir, `${name}-`));
  const r = await startReplica({ name, port: await freePort(), modelsDir, dataDir, voiceStore, args: ['--num-threads', '1', '--log-level', 'warn'] });
  started.push(r);
  return r;
}

try {
  console.log(`replicas: throughput through HAProxy, ${CLIENTS} clients, ${SECONDS} s each, speech with a saved voice (pocket fixture)`);
  const rows: (string | number)[][] = [];
  let single = 0;
  for (const count of [1, 2, 4]) {
    const replicas = await Promise.all(Array.from({ length: count }, (_, i) => replica(`r${count}-${i + 1}`, postgres.url)));
    balancer = await startBalancer({ port: await freePort(), statsPort: await freePort(), replicas, dir });
    await call(`${balancer.url}/v1/voices`, { method: 'POST', body: JSON.stringify({ name: 'bench-voice', audio: CLIP, transcript: 'The birch canoe slid on the smooth planks.' }) });
    // Warm-up: each replica loads the model and caches the clip on first use.
    await Promise.all(replicas.flatMap((r) => [speak(r.url), speak(r.url)]));
    const result = await autocannon({ url: `${balancer.url}/v1/audio/speech`, method: 'POST', headers: { 'content-type': 'application/json' }, body: SPEECH, connections: CLIENTS, duration: SECONDS });
    const perSecond = result.requests.total / SECONDS;
    if (count === 1) single = perSecond;
    rows.push([count, result.requests.total, perSecond.toFixed(1), `${(perSecond / single).toFixed(2)}x`, result.latency.p50, result.latency.p90, result.latency.p99, result.non2xx + result.errors]);
    await call(`${balancer.url}/v1/voices/bench-voice`, { method: 'DELETE' });
    await balancer.stop();
    await Promise.all(replicas.map((r) => r.terminate()));
  }
  table(['replicas', 'requests', 'req/s', 'vs 1', 'p50 ms', 'p90 ms', 'p99 ms', 'failed'], rows);

  console.log(`\nvoice store: PostgreSQL against files, one replica each, ${LATENCY_REQUESTS} requests one at a time, alternating`);
  const [files, pg] = await Promise.all([replica('files', undefined), replica('postgres', postgres.url)]);
  for (const r of [files, pg]) await call(`${r.url}/v1/voices`, { method: 'POST', body: JSON.stringify({ name: 'bench-voice', audio: CLIP, transcript: 'The birch canoe slid on the smooth planks.' }) });
  for (let i = 0; i < 10; i += 1) await Promise.all([speak(files.url), speak(pg.url)]);
  const samples = { files: { speech: [] as number[], lookup: [] as number[] }, postgres: { speech: [] as number[], lookup: [] as number[] } };
  for (let i = 0; i < LATENCY_REQUESTS; i += 1) {
    for (const [store, r] of (i % 2 === 0 ? [['files', files], ['postgres', pg]] : [['postgres', pg], ['files', files]]) as ['files' | 'postgres', Replica][]) {
      samples[store].speech.push(await timed(() => speak(r.url)));
      samples[store].lookup.push(await timed(() => call(`${r.url}/v1/voices/bench-voice`)));
    }
  }
  const ms = (values: number[], p: number) => percentile(values, p).toFixed(2);
  const latencyRows = (['files', 'postgres'] as const).map((store) => [store, ms(samples[store].speech, 50), ms(samples[store].speech, 95), ms(samples[store].lookup, 50), ms(samples[store].lookup, 95)]);
  const extra = (p: number, what: 'speech' | 'lookup') => (percentile(samples.postgres[what], p) - percentile(samples.files[what], p)).toFixed(2);
  latencyRows.push(['postgres - files', extra(50, 'speech'), extra(95, 'speech'), extra(50, 'lookup'), extra(95, 'lookup')]);
  table(['store', 'speech p50 ms', 'speech p95 ms', 'GET voice p50 ms', 'GET voice p95 ms'], latencyRows);
  for (const r of [files, pg]) await call(`${r.url}/v1/voices/bench-voice`, { method: 'DELETE' });
} finally {
  await balancer?.stop();
  await Promise.all(started.map((r) => r.terminate()));
  await postgres.stop().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
