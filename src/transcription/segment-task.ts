import type { MessagePort } from 'node:worker_threads';
import { AudioDecodeError } from '../audio/decode.js';
import { AudioTooLongError, decodeAudioStream } from '../audio/decode-stream.js';
import { StreamResampler } from '../audio/resample-stream.js';
import { fixedSegments, STT_SAMPLE_RATE, vadSegments, type SpeechSegment } from '../audio/speech-segments.js';
import { meanSpeechProbability } from './speech-probability.js';

/** Runs in the audio worker pool: an upload decoded, resampled to 16 kHz and cut into speech segments. */
export interface SegmentArgs {
  bytes: Uint8Array;
  /** Silero VAD model; without one, long audio is cut into fixed windows. */
  vadModel?: string;
  maxSegmentSeconds: number;
  /** Decoding stops, with an error, once the audio passes this. */
  maxAudioSeconds: number;
  /** Also give each segment Silero's mean speech probability (needs vadModel). */
  measureNoSpeech: boolean;
  port: MessagePort;
}

/** What the worker sends the request, in order: segments (their samples moved, not copied), then an end or an error. */
export type SegmentMessage =
  | { type: 'segment'; segment: CutSegment; decodedSamples: number }
  | { type: 'end'; decodedSamples: number }
  | { type: 'error'; kind: 'invalid-audio' | 'too-long' | 'internal'; message: string };

export interface CutSegment extends SpeechSegment {
  /** Silero's mean speech probability over the segment, when asked for. */
  speechProbability?: number;
}

/** What the request sends back: take one more segment, or stop (the client went away). */
export type ConsumerMessage = { type: 'more' } | { type: 'stop' };

/** Segments cut ahead of the recognizer: one being recognised, one ready; memory holds no more. */
export const SEGMENTS_AHEAD = 2;

async function* pcm16k(bytes: Uint8Array, maxSeconds: number, counter: { samples: number }, stopped: () => boolean): AsyncGenerator<Float32Array> {
  let resampler: StreamResampler | undefined;
  for await (const piece of decodeAudioStream(bytes, { maxSeconds })) {
    if (stopped()) return;
    resampler ??= new StreamResampler(piece.sampleRate, STT_SAMPLE_RATE);
    const samples = resampler.push(piece.samples);
    counter.samples += samples.length;
    yield samples;
  }
  if (resampler) {
    const tail = resampler.flush();
    counter.samples += tail.length;
    yield tail;
  }
}

function describe(error: unknown): SegmentMessage {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AudioTooLongError) return { type: 'error', kind: 'too-long', message };
  return { type: 'error', kind: error instanceof AudioDecodeError ? 'invalid-audio' : 'internal', message };
}

/** Posts each segment as it is cut, waiting for the request to take earlier ones before cutting more than SEGMENTS_AHEAD. */
export async function segmentSpeech({ bytes, vadModel, maxSegmentSeconds, maxAudioSeconds, measureNoSpeech, port }: SegmentArgs): Promise<void> {
  let credit = SEGMENTS_AHEAD;
  let stopped = false;
  let wake: (() => void) | undefined;
  port.on('message', (message: ConsumerMessage) => {
    if (message.type === 'more') credit += 1;
    else stopped = true;
    wake?.();
  });
  port.on('close', () => {
    stopped = true;
    wake?.();
  });
  const counter = { samples: 0 };
  const pcm = pcm16k(bytes, maxAudioSeconds, counter, () => stopped);
  const segments = vadModel ? vadSegments(pcm, vadModel, maxSegmentSeconds) : fixedSegments(pcm, maxSegmentSeconds);
  try {
    for await (const segment of segments) {
      while (credit === 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
      if (stopped) return;
      credit -= 1;
      const cut: CutSegment = measureNoSpeech && vadModel ? { ...segment, speechProbability: await meanSpeechProbability(vadModel, segment.samples) } : segment;
      port.postMessage({ type: 'segment', segment: cut, decodedSamples: counter.samples } satisfies SegmentMessage, [segment.samples.buffer as ArrayBuffer]);
    }
    if (!stopped) port.postMessage({ type: 'end', decodedSamples: counter.samples } satisfies SegmentMessage);
  } catch (error) {
    if (!stopped) port.postMessage(describe(error));
  } finally {
    port.close();
  }
}
