/**
 * Diarization time per minute of audio, and memory on a long file. Conversations of real clips
 * (spk1_* and spk2_* taking turns, 1 s apart) of a few lengths go through
 * `response_format=diarized_json` (upload, decode, 3-minute windows, pyannote segmentation,
 * embeddings, clustering, naming, recognition per turn), in-process through inject(); the
 * diarizer alone is timed on the same audio. Resident memory is sampled every 20 ms during each
 * request, for diarized_json and for plain json on the same file: beyond what the upload costs
 * either way, diarization should add a bounded amount, whatever the file's length. Fixture
 * models are small hand-set graphs: the figures measure Vocable's pipeline and the native
 * diarizer's bookkeeping, not a real model's speed (real pyannote and CAM++ are far heavier).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { FIXTURE_MODELS } from '../fixtures/index.js';
import { decodeAudio } from '../src/audio/decode.js';
import { encodeWav } from '../src/audio/wav.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { discoverModels } from '../src/engine/discovery.js';
import { diarizeAsync } from '../src/native/sherpa.js';
import { buildApp } from '../src/server/app.js';
import { table } from './harness.js';

const MINUTES = (process.env.BENCH_DIARIZE_MINUTES ?? '1,5,20').split(',').map(Number);
const MB = 1024 * 1024;
const SPEECH = join(import.meta.dirname, '..', 'test', 'data', 'speech');

/** Alternating clips of the two voices, 1 s of silence before each, until `minutes` are filled. */
async function conversation(minutes: number): Promise<Float32Array> {
  const clips = await Promise.all(['spk1_snt1', 'spk2_snt1', 'spk1_snt2', 'spk2_snt2', 'spk1_snt3', 'spk2_snt3'].map(async (n) => (await decodeAudio(readFileSync(join(SPEECH, `${n}.wav`)))).samples));
  const total = Math.round(minutes * 60 * 16000);
  const out = new Float32Array(total);
  let at = 0;
  for (let i = 0; at < total; i += 1) {
    at += 16000;
    const clip = clips[i % clips.length]!;
    out.set(clip.subarray(0, Math.max(0, Math.min(clip.length, total - at))), Math.min(at, total));
    at += clip.length;
  }
  return out;
}

function form(wav: Buffer, format = 'diarized_json'): FormData {
  const data = new FormData();
  data.append('model', FIXTURE_MODELS.sensevoice);
  data.append('response_format', format);
  data.append('chunking_strategy', 'auto');
  data.append('file', new Blob([new Uint8Array(wav)]), 'talk.wav');
  return data;
}

/** One request, its time and the peak of resident memory above the level before it. */
async function measured(wav: Buffer, format: string) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const response = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form(wav, format) as unknown as string });
  const ms = performance.now() - t0;
  clearInterval(sampler);
  if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${response.body.slice(0, 300)}`);
  return { response, ms, growth: (peak - before) / MB };
}

const modelsDir = await fixtureModelsDir();
const { app, pool } = buildApp({ ...DEFAULT_CONFIG, modelsDir, logLevel: 'silent', numThreads: 1, maxUploadBytes: 200 * MB, maxAudioSeconds: 4 * 3600 }, await discoverModels(modelsDir));

// Warm-up: loads the models, the audio worker pool and the embedding worker, so the rows measure requests alone.
const warm = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: form(encodeWav({ samples: await conversation(0.5), sampleRate: 16000 })) as unknown as string });
if (warm.statusCode !== 200) throw new Error(`warm-up: HTTP ${warm.statusCode}: ${warm.body.slice(0, 300)}`);

const rows: (string | number)[][] = [];
for (const minutes of MINUTES) {
  const samples = await conversation(minutes);
  const wav = encodeWav({ samples, sampleRate: 16000 });

  // The diarizer alone, on the first minute (a warm-up loads the models).
  const minute = samples.slice(0, Math.min(samples.length, 60 * 16000));
  await pool.runDiarization(FIXTURE_MODELS.segmentation, (d) => diarizeAsync(d, minute.subarray(0, 16000 * 10)));
  let t0 = performance.now();
  await pool.runDiarization(FIXTURE_MODELS.segmentation, (d) => diarizeAsync(d, minute));
  const diarizerMsPerMinute = ((performance.now() - t0) / (minute.length / 16000)) * 60;

  const plain = await measured(wav, 'json');
  const diarized = await measured(wav, 'diarized_json');
  const body = diarized.response.json() as { segments: { speaker: string }[] };
  const speakers = new Set(body.segments.map((s) => s.speaker)).size;
  rows.push([minutes, (wav.length / MB).toFixed(1), diarizerMsPerMinute.toFixed(0), (diarized.ms / minutes).toFixed(0), (plain.ms / minutes).toFixed(0), body.segments.length, speakers, plain.growth.toFixed(1), diarized.growth.toFixed(1)]);
}
console.log('\nDiarized transcription (diarized_json) of two voices taking turns, fixture models, one thread');
// The upload is held whole, and copied on its way to the decoder, as for every transcription: plain
// json on the same file shows that part; diarization's own cost is the difference.
table(['audio min', 'upload MB', 'diarizer ms/min', 'diarized ms/min', 'json ms/min', 'segments', 'speakers', 'json peak +MB', 'diarized peak +MB'], rows);
await app.close();
