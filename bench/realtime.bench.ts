/**
 * Live routes beside the HTTP routes doing the same work, on the fixture models and at real-model
 * cost (fixtures/compute-cost.ts, BENCH_COST_MACS multiply-adds per second of audio):
 *  - /v1/realtime: a real clip (0.5 s of silence, 2.9 s of speech, 1.5 s of silence) streamed at
 *    the pace it is spoken, in 100 ms appends. End of speech → `completed` (this includes the
 *    0.5 s of silence server VAD waits for before it ends a turn), `speech_stopped` → `completed`
 *    (the final decode), speech start → first delta, and the gaps between deltas; beside the same
 *    audio as a file through POST /v1/audio/transcriptions (upload to text).
 *  - /v1/text-to-speech/{voice}/stream-input: text in (the first clause complete) → first audio,
 *    beside streamed POST /v1/audio/speech time to first audio for the same text.
 * p50 / p95 over BENCH_RUNS sessions, in ms.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { costlyFixtureModelsDir, fixtureModelsDir } from '../fixtures/cache.js';
import { decodeAudio } from '../src/audio/decode.js';
import { StreamResampler } from '../src/audio/resample-stream.js';
import { encodeWav } from '../src/audio/wav.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { discoverModels } from '../src/engine/discovery.js';
import { buildApp } from '../src/server/app.js';
import { percentile, table, timedResponse } from './harness.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COST = { macsPerSecond: Number(process.env.BENCH_COST_MACS ?? 4e9) };
const CLIP = readFileSync(join(import.meta.dirname, '..', 'test', 'data', 'speech', 'spk1_snt1.wav'));
const TEXT = 'Streaming lets the listener hear this first sentence early. The second sentence is made while the first one plays.';
const SILENCE_BEFORE = 0.5;
const SILENCE_AFTER = 1.5;
const CHUNK_SECONDS = 0.1;

const clip = await decodeAudio(CLIP);
const resampler = new StreamResampler(clip.sampleRate, 24000);
const speech24k = Float32Array.from([...resampler.push(clip.samples), ...resampler.flush()]);
const timeline = new Float32Array(Math.round((SILENCE_BEFORE + SILENCE_AFTER) * 24000) + speech24k.length);
timeline.set(speech24k, Math.round(SILENCE_BEFORE * 24000));
const pcm = Buffer.alloc(timeline.length * 2);
timeline.forEach((s, i) => pcm.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2));
const speechEndByte = (Math.round(SILENCE_BEFORE * 24000) + speech24k.length) * 2;
const wav = encodeWav({ samples: timeline, sampleRate: 24000 });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (values: number[], p: number) => (values.length > 0 ? percentile(values, p).toFixed(0) : 'n/a');

interface LiveRun {
  endToCompleted: number;
  stoppedToCompleted: number;
  startToFirstDelta?: number;
  deltaGaps: number[];
}

async function liveTranscription(base: string): Promise<LiveRun> {
  const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/realtime?intent=transcription&model=sensevoice`);
  const times: Record<string, number> = {};
  const deltas: number[] = [];
  const completed = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      const event = JSON.parse(data.toString()) as { type: string };
      const now = performance.now();
      if (event.type === 'conversation.item.input_audio_transcription.delta') deltas.push(now);
      times[event.type] ??= now;
      if (event.type === 'conversation.item.input_audio_transcription.completed') resolve();
    });
  });
  await once(socket, 'open');
  const chunk = Math.round(CHUNK_SECONDS * 24000) * 2;
  const started = performance.now();
  let speechEnded = 0;
  for (let at = 0, n = 0; at < pcm.length; at += chunk, n += 1) {
    await sleep(Math.max(0, started + n * CHUNK_SECONDS * 1000 - performance.now()));
    socket.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: pcm.subarray(at, at + chunk).toString('base64') }));
    if (!speechEnded && at + chunk >= speechEndByte) speechEnded = performance.now();
  }
  await completed;
  socket.close();
  const done = times['conversation.item.input_audio_transcription.completed']!;
  const speechStarted = times['input_audio_buffer.speech_started']!;
  return {
    endToCompleted: done - speechEnded,
    stoppedToCompleted: done - times['input_audio_buffer.speech_stopped']!,
    startToFirstDelta: deltas[0] !== undefined ? deltas[0] - speechStarted : undefined,
    deltaGaps: deltas.slice(1).map((t, i) => t - deltas[i]!),
  };
}

async function httpTranscription(base: string): Promise<number> {
  const form = new FormData();
  form.append('model', 'sensevoice');
  form.append('file', new Blob([new Uint8Array(wav)]), 'speech.wav');
  const t0 = performance.now();
  const response = await fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body: form });
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  await response.text();
  return performance.now() - t0;
}

async function liveFirstAudio(base: string): Promise<number> {
  const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/text-to-speech/af_heart/stream-input?model_id=kokoro&output_format=pcm_24000`);
  await once(socket, 'open');
  const first = new Promise<number>((resolve) => socket.once('message', () => resolve(performance.now())));
  socket.send(JSON.stringify({ text: ' ' }));
  const t0 = performance.now();
  for (const word of TEXT.split(/(?<= )/)) socket.send(JSON.stringify({ text: word }));
  const firstAudio = (await first) - t0;
  socket.send(JSON.stringify({ text: '' }));
  await once(socket, 'close');
  return firstAudio;
}

async function httpFirstAudio(base: string): Promise<number> {
  const body = JSON.stringify({ model: 'kokoro', voice: 'af_heart', input: TEXT, response_format: 'pcm', stream_format: 'audio' });
  return (await timedResponse(() => fetch(`${base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }))).first;
}

async function measure(label: string, modelsDir: string): Promise<{ stt: (string | number)[]; tts: (string | number)[] }> {
  const discovery = await discoverModels(modelsDir);
  const { app } = buildApp({ ...DEFAULT_CONFIG, modelsDir, dataDir: join(modelsDir, '.data'), logLevel: 'silent', numThreads: 1 }, discovery);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await httpTranscription(base);
  await httpFirstAudio(base); // warm-up: both models loaded
  const live: LiveRun[] = [];
  const http: number[] = [];
  const liveTts: number[] = [];
  const httpTts: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    live.push(await liveTranscription(base));
    http.push(await httpTranscription(base));
    liveTts.push(await liveFirstAudio(base));
    httpTts.push(await httpFirstAudio(base));
  }
  await app.close();
  const pick = (f: (r: LiveRun) => number | undefined) => live.map(f).filter((v): v is number => v !== undefined);
  const gaps = live.flatMap((r) => r.deltaGaps);
  return {
    stt: [
      label,
      ms(pick((r) => r.endToCompleted), 50),
      ms(pick((r) => r.endToCompleted), 95),
      ms(pick((r) => r.stoppedToCompleted), 50),
      ms(pick((r) => r.stoppedToCompleted), 95),
      ms(pick((r) => r.startToFirstDelta), 50),
      gaps.length > 0 ? `${ms(gaps, 50)} (${gaps.length})` : 'n/a',
      ms(http, 50),
      ms(http, 95),
    ],
    tts: [label, ms(liveTts, 50), ms(liveTts, 95), ms(httpTts, 50), ms(httpTts, 95)],
  };
}

const rows = [await measure('fixtures', await fixtureModelsDir()), await measure(`real cost (${COST.macsPerSecond.toExponential(0)} MAC/s)`, await costlyFixtureModelsDir(COST))];
console.log(`\nLive transcription (/v1/realtime, sensevoice, ${RUNS} sessions of ${(timeline.length / 24000).toFixed(1)} s streamed in real time), ms`);
table(['models', 'end of speech→completed p50', 'p95', 'speech_stopped→completed p50', 'p95', 'speech start→first delta p50', 'delta gap p50 (n)', 'HTTP file→text p50', 'p95'], rows.map((r) => r.stt));
console.log(`\nText in → first audio (kokoro, pcm_24000; ${TEXT.length} characters sent word by word), ms`);
table(['models', 'stream-input p50', 'p95', 'HTTP streamed TTFA p50', 'p95'], rows.map((r) => r.tts));
