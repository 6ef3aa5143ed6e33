/**
 * Resident memory over 1000 sequential cloning requests (fixture Pocket, `ref_audio` = a real
 * clip in base64, a fixed seed), in-process through inject(): after a warm-up of 20 requests,
 * RSS is sampled every 50 requests and printed as a curve, with the growth from the first
 * sample to the last. A leak per request (a clip, an engine stream, a listener) shows as a
 * steady climb; a flat curve after the warm-up is what the server should give.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { discoverModels } from '../src/engine/discovery.js';
import { buildApp } from '../src/server/app.js';
import { table } from './harness.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const WARM_UP = 20;
const EVERY = 50;
const MB = 1024 * 1024;

const clip = readFileSync(join(import.meta.dirname, '..', 'test', 'data', 'speech', 'spk1_snt1.wav')).toString('base64');
const payload = { model: 'pocket', input: 'Hello there, this is a cloned voice speaking one sentence.', ref_audio: clip, seed: 7, response_format: 'wav' };
const modelsDir = await fixtureModelsDir();
const { app } = buildApp({ ...DEFAULT_CONFIG, modelsDir, logLevel: 'silent', numThreads: 1 }, await discoverModels(modelsDir));

async function clone(): Promise<void> {
  const response = await app.inject({ method: 'POST', url: '/v1/audio/speech', payload });
  if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${response.body}`);
}

for (let i = 0; i < WARM_UP; i += 1) await clone();
const rows: [number, string][] = [];
const started = performance.now();
for (let i = 0; i <= REQUESTS; i += 1) {
  if (i % EVERY === 0) rows.push([i, (process.memoryUsage().rss / MB).toFixed(1)]);
  if (i < REQUESTS) await clone();
}
const seconds = (performance.now() - started) / 1000;
console.log(`\nResident memory over ${REQUESTS} cloning requests (pocket, ${(clip.length / 1024).toFixed(0)} KB base64 ref_audio), after ${WARM_UP} warm-up requests; ${(REQUESTS / seconds).toFixed(1)} req/s`);
table(['request #', 'RSS MB'], rows);
const first = Number(rows[0]![1]);
const last = Number(rows.at(-1)![1]);
console.log(`growth from the first sample to the last: ${(last - first).toFixed(1)} MB (${(((last - first) * 1024) / REQUESTS).toFixed(1)} KB per request)`);
await app.close();
