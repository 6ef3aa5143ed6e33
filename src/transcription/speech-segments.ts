import { setImmediate as nextTurn } from 'node:timers/promises';
import { sherpa, type NativeVad } from '../engine/sherpa.js';

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
const WINDOW = 512;
/** Windows between turns of the event loop (about one second of audio). */
const WINDOWS_PER_TURN = 32;

/** Idle detectors kept for reuse, per model and segment bound. */
const MAX_IDLE_VADS = 4;

/**
 * Loading Silero takes about a tenth of a second of the event loop (the constructor is
 * synchronous), so detectors are reset and reused across requests rather than made per file.
 */
class IdleVads {
  private readonly idle = new Map<string, NativeVad[]>();

  take(model: string, maxSeconds: number): NativeVad {
    return this.idle.get(`${maxSeconds}:${model}`)?.pop() ?? createVad(model, maxSeconds);
  }

  give(model: string, maxSeconds: number, vad: NativeVad): void {
    vad.reset();
    const key = `${maxSeconds}:${model}`;
    const list = this.idle.get(key) ?? [];
    if (list.length < MAX_IDLE_VADS) list.push(vad);
    this.idle.set(key, list);
  }
}

const idleVads = new IdleVads();

function createVad(model: string, maxSeconds: number): NativeVad {
  return new sherpa.Vad(
    {
      sileroVad: { model, threshold: 0.5, minSilenceDuration: 0.5, minSpeechDuration: 0.25, windowSize: WINDOW, maxSpeechDuration: maxSeconds },
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
  const vad = idleVads.take(vadModel, maxSeconds);
  function* drain(): Generator<SpeechSegment> {
    while (!vad.isEmpty()) {
      const segment = vad.front(false);
      yield { start: segment.start / STT_SAMPLE_RATE, samples: segment.samples };
      vad.pop();
    }
  }
  try {
    let sinceTurn = 0;
    for await (const window of fixedPieces(pcm, WINDOW)) {
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
    idleVads.give(vadModel, maxSeconds, vad);
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
