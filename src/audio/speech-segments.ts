import { setImmediate as nextTurn } from 'node:timers/promises';
import { sherpa, type NativeVad } from '../native/sherpa.js';

export const STT_SAMPLE_RATE = 16000;

/** A stretch of speech in the original timeline. */
export interface SpeechSegment {
  /** Seconds from the start of the file. */
  start: number;
  samples: Float32Array;
}

/**
 * Silero's window. The detector is fed exactly one window per call: sherpa-onnx 1.13.8 reports
 * segment times late (by up to a second and more) when given larger pieces.
 */
export const VAD_WINDOW = 512;
/** Speech shorter than this is not speech (a click, a breath). */
export const MIN_SPEECH_SECONDS = 0.25;
/** Windows between turns of the event loop (about one second of audio). */
const WINDOWS_PER_TURN = 32;

/**
 * Idle detectors kept for reuse, per model and settings: as many as a worker of the audio pool
 * runs tasks at once (TASKS_PER_WORKER), so that under load no detector is made twice; with
 * fewer, each burst of concurrent files made new ones, a tenth of a second each.
 */
const MAX_IDLE_VADS = 16;

/** How a detector decides: Silero's speech probability threshold and the silence that ends speech. */
export interface VadSettings {
  model: string;
  /** Speech longer than this is cut into pieces of at most this length. */
  maxSeconds: number;
  threshold: number;
  minSilenceSeconds: number;
}

const fileVadSettings = (model: string, maxSeconds: number): VadSettings => ({ model, maxSeconds, threshold: 0.5, minSilenceSeconds: 0.5 });

/**
 * Loading Silero takes about a tenth of a second of the event loop (the constructor is
 * synchronous), so detectors are reset and reused across requests and sessions rather than made
 * per file.
 */
class IdleVads {
  private readonly idle = new Map<string, NativeVad[]>();

  take(settings: VadSettings): NativeVad {
    return this.idle.get(JSON.stringify(settings))?.pop() ?? createVad(settings);
  }

  give(settings: VadSettings, vad: NativeVad): void {
    vad.reset();
    const key = JSON.stringify(settings);
    const list = this.idle.get(key) ?? [];
    if (list.length < MAX_IDLE_VADS) list.push(vad);
    this.idle.set(key, list);
  }
}

const idleVads = new IdleVads();

/** A Silero detector for `settings`, reused when one is idle; hand it back with `giveVad`. */
export const takeVad = (settings: VadSettings): NativeVad => idleVads.take(settings);
export const giveVad = (settings: VadSettings, vad: NativeVad): void => idleVads.give(settings, vad);

function createVad({ model, maxSeconds, threshold, minSilenceSeconds }: VadSettings): NativeVad {
  return new sherpa.Vad(
    {
      sileroVad: { model, threshold, minSilenceDuration: minSilenceSeconds, minSpeechDuration: MIN_SPEECH_SECONDS, windowSize: VAD_WINDOW, maxSpeechDuration: maxSeconds },
      sampleRate: STT_SAMPLE_RATE,
      numThreads: 1,
      debug: 0,
    },
    maxSeconds * 2 + 10,
  );
}

/**
 * Cuts 16 kHz audio into speech segments with Silero VAD, as it streams in: memory holds one
 * segment, not the file. No segment is longer than `maxSeconds` (Whisper reads 30 s at most).
 */
export async function* vadSegments(pcm: AsyncIterable<Float32Array>, vadModel: string, maxSeconds: number): AsyncGenerator<SpeechSegment> {
  const settings = fileVadSettings(vadModel, maxSeconds);
  const vad = takeVad(settings);
  function* drain(): Generator<SpeechSegment> {
    while (!vad.isEmpty()) {
      const segment = vad.front(false);
      yield { start: segment.start / STT_SAMPLE_RATE, samples: segment.samples };
      vad.pop();
    }
  }
  try {
    let sinceTurn = 0;
    for await (const window of fixedPieces(pcm, VAD_WINDOW)) {
      vad.acceptWaveform(window);
      yield* drain();
      sinceTurn += 1;
      if (sinceTurn === WINDOWS_PER_TURN) {
        sinceTurn = 0;
        await nextTurn();
      }
    }
    vad.flush();
    yield* drain();
  } finally {
    giveVad(settings, vad);
  }
}

/** Without a VAD model: fixed windows of `seconds`, so long files still fit the model. */
export async function* fixedSegments(pcm: AsyncIterable<Float32Array>, seconds: number): AsyncGenerator<SpeechSegment> {
  let start = 0;
  for await (const samples of fixedPieces(pcm, Math.round(seconds * STT_SAMPLE_RATE))) {
    // Read the length first: the consumer may transfer the samples to another thread, detaching them.
    const length = samples.length;
    yield { start: start / STT_SAMPLE_RATE, samples };
    start += length;
  }
}

/** Re-cuts a stream of samples into pieces of exactly `size` (the last may be shorter). */
async function* fixedPieces(pcm: AsyncIterable<Float32Array>, size: number): AsyncGenerator<Float32Array> {
  let buffer = new Float32Array(size);
  let filled = 0;
  for await (const chunk of pcm) {
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(size - filled, chunk.length - at);
      buffer.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === size) {
        yield buffer;
        buffer = new Float32Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
