/**
 * Figures at real-model cost: the Kokoro and SenseVoice fixtures with a stack of matrix products
 * whose work grows with the audio (fixtures/compute-cost.ts; BENCH_COST_MACS multiply-adds per
 * second of audio, 16e9 by default: a real-time factor of about 0.3 on one thread on the 2-core
 * build machine; 4e9 gave 0.08, too cheap for the server's fixed costs to weigh as they would), so
 * that the server's fixed costs weigh what they would beside a real model. Per request, one at a
 * time, medians over BENCH_RUNS: the server's time against a bare engine call on the same input
 * (speech: a whole WAV; transcription: an 11 s clip as JSON), and streamed time to first audio
 * against the engine's first chunk. Targets (issue 14): server/engine ≤ 1.05, TTFA ≤ 1.2×.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { costlyFixtureModelsDir } from '../fixtures/cache.js';
import { decodeAudio } from '../src/audio/decode.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { discoverModels, type InstalledSttModel, type InstalledTtsModel } from '../src/engine/discovery.js';
import { sherpa } from '../src/native/sherpa.js';
import { buildApp } from '../src/server/app.js';
import { percentile, table, timedResponse } from './harness.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const COST = { macsPerSecond: Number(process.env.BENCH_COST_MACS ?? 16e9) };
const TEXT = 'Streaming lets the listener hear this first sentence early. The second sentence is made while the first one plays.';
const CLIP = readFileSync(join(import.meta.dirname, '..', 'test', 'data', 'speech', 'jfk.wav'));

const modelsDir = await costlyFixtureModelsDir(COST);
const discovery = await discoverModels(modelsDir);
const { app } = buildApp({ ...DEFAULT_CONFIG, modelsDir, dataDir: join(modelsDir, '.data'), logLevel: 'silent', numThreads: 1, instances: 1 }, discovery);
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const kokoro = discovery.models.find((m): m is InstalledTtsModel => m.id === 'kokoro')!;
const sensevoice = discovery.models.find((m): m is InstalledSttModel => m.id === 'sensevoice')!;
const tts = await sherpa.OfflineTts.createAsync({ model: { ...kokoro.family.nativeModelConfig(kokoro.files, kokoro.capabilities), numThreads: 1, debug: 0, provider: 'cpu' }, maxNumSentences: 1 });
const recognizer = await sherpa.OfflineRecognizer.createAsync(sensevoice.family.recognizerConfig(sensevoice.files, { task: 'transcribe' }, 1));
const clip = await decodeAudio(CLIP);
const clipSeconds = clip.samples.length / clip.sampleRate;


const speech = (extra: Record<string, unknown>) => () =>
  fetch(`${base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'kokoro', voice: 'af_heart', input: TEXT, ...extra }) });
const transcription = () => {
  const form = new FormData();
  form.append('model', 'sensevoice');
  form.append('file', new Blob([new Uint8Array(CLIP)]), 'jfk.wav');
  return fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body: form });
};

async function engineSpeech(): Promise<{ first: number; total: number; seconds: number }> {
  const t0 = performance.now();
  let first = 0;
  let samples = 0;
  // The engine makes one sentence at a time, as the server asks it to.
  for (const sentence of TEXT.split(/(?<=\.)\s+/)) {
    const result = await tts.generateAsync({
      ...kokoro.family.generateRequest({ text: sentence, speed: 1, speakerId: 0, controls: {} } as never),
      onProgress: () => {
        if (!first) first = performance.now() - t0;
        return 1;
      },
    });
    samples += result.samples.length;
  }
  return { first, total: performance.now() - t0, seconds: samples / tts.sampleRate };
}

async function engineTranscription(): Promise<number> {
  const t0 = performance.now();
  const stream = recognizer.createStream();
  stream.acceptWaveform({ samples: clip.samples, sampleRate: clip.sampleRate });
  await recognizer.decodeAsync(stream);
  return performance.now() - t0;
}

// Warm-up: the server loads each model on first use.
await timedResponse(speech({ stream: false, response_format: 'wav' }));
await timedResponse(transcription);

const m = { engineSpeech: [] as number[], engineFirst: [] as number[], httpSpeech: [] as number[], httpFirst: [] as number[], httpFirstMp3: [] as number[], engineStt: [] as number[], httpStt: [] as number[] };
let audioSeconds = 0;
for (let i = 0; i < RUNS; i += 1) {
  const engine = await engineSpeech();
  audioSeconds = engine.seconds;
  m.engineSpeech.push(engine.total);
  m.engineFirst.push(engine.first);
  m.httpSpeech.push((await timedResponse(speech({ stream: false, response_format: 'wav' }))).total);
  m.httpFirst.push((await timedResponse(speech({ stream: true, response_format: 'pcm' }))).first);
  // mp3 is encoded chunk by chunk in the audio worker pool: its TTFA includes the hop there and back.
  m.httpFirstMp3.push((await timedResponse(speech({ stream: true, response_format: 'mp3' }))).first);
  m.engineStt.push(await engineTranscription());
  m.httpStt.push((await timedResponse(transcription)).total);
}
const p50 = (values: number[]) => percentile(values, 50);
const ratio = (a: number[], b: number[]) => (p50(a) / p50(b)).toFixed(3);
console.log(`\nAt real-model cost (${(COST.macsPerSecond / 1e9).toFixed(1)} GMAC per second of audio; one thread; medians of ${RUNS})`);
table(
  ['task', 'audio s', 'engine ms', 'engine RTF', 'server ms', 'server / engine', 'target'],
  [
    ['speech (wav, whole)', audioSeconds.toFixed(2), p50(m.engineSpeech).toFixed(0), (p50(m.engineSpeech) / 1000 / audioSeconds).toFixed(3), p50(m.httpSpeech).toFixed(0), ratio(m.httpSpeech, m.engineSpeech), '≤ 1.05'],
    ['transcription (json)', clipSeconds.toFixed(2), p50(m.engineStt).toFixed(0), (p50(m.engineStt) / 1000 / clipSeconds).toFixed(3), p50(m.httpStt).toFixed(0), ratio(m.httpStt, m.engineStt), '≤ 1.05'],
  ],
);
table(['streamed speech', 'engine first chunk ms', 'server TTFA ms', 'TTFA / first chunk', 'target'], [
  ['pcm', p50(m.engineFirst).toFixed(0), p50(m.httpFirst).toFixed(0), ratio(m.httpFirst, m.engineFirst), '≤ 1.2'],
  ['mp3 (encoded in a worker)', p50(m.engineFirst).toFixed(0), p50(m.httpFirstMp3).toFixed(0), ratio(m.httpFirstMp3, m.engineFirst), '≤ 1.2'],
]);
console.log('(transcription: the engine reads the whole clip at once; the server cuts it into speech segments with Silero VAD first, so it recognises less audio)');
await app.close();
process.exit(0);
