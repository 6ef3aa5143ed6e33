/**
 * Speech-to-text real-time factor (processing time / audio duration) for each fixture STT
 * family, through the HTTP server (multipart upload, decode, VAD segmentation, recognition,
 * JSON) and through a direct recognizer call on the same audio, in one run. Fixture models are
 * tiny hand-set graphs: the figures measure Vocable's pipeline, not a real model's speed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudio } from '../src/audio/decode.js';
import { sherpa } from '../src/native/sherpa.js';
import { percentile, startBench, table } from './harness.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const FILE = readFileSync(join(import.meta.dirname, '..', 'test', 'data', 'speech', 'jfk.wav'));

const bench = await startBench();
const audio = await decodeAudio(FILE);
const seconds = audio.samples.length / audio.sampleRate;
console.log(`\nTranscription RTF on fixture models, median of ${RUNS} runs (jfk.wav, ${seconds.toFixed(1)} s, json)`);
const rows: (string | number)[][] = [];
for (const model of bench.app.pool.list()) {
  if (model.task !== 'stt') continue;
  const recognizer = await sherpa.OfflineRecognizer.createAsync(model.family.recognizerConfig(model.files, { task: 'transcribe' }, 1));
  const direct: number[] = [];
  const http: number[] = [];
  for (let i = 0; i < RUNS + 1; i += 1) {
    let t0 = performance.now();
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples: audio.samples, sampleRate: audio.sampleRate });
    await recognizer.decodeAsync(stream);
    const directMs = performance.now() - t0;

    const form = new FormData();
    form.append('model', model.id);
    form.append('file', new Blob([new Uint8Array(FILE)]), 'jfk.wav');
    t0 = performance.now();
    const response = await fetch(`${bench.base}/v1/audio/transcriptions`, { method: 'POST', body: form });
    await response.text();
    const httpMs = performance.now() - t0;
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    if (i === 0) continue; // warm-up: the server loads the model on first use
    direct.push(directMs);
    http.push(httpMs);
  }
  const d = percentile(direct, 50);
  const h = percentile(http, 50);
  rows.push([model.id, d.toFixed(1), h.toFixed(1), (d / 1000 / seconds).toFixed(4), (h / 1000 / seconds).toFixed(4), (h / d).toFixed(2)]);
}
// The direct call hands the whole clip to the recognizer; the server decodes, resamples and segments it with the VAD first.
table(['family', 'direct ms', 'HTTP ms', 'direct RTF', 'HTTP RTF', 'HTTP/direct'], rows);
await bench.close();
