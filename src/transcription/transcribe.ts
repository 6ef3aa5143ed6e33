import type { InstalledSttModel } from '../engine/discovery.js';
import type { ModelPool } from '../engine/model-pool.js';
import type { RecognitionOptions } from '../engine/stt-family.js';
import { STT_SAMPLE_RATE } from '../audio/speech-segments.js';
import { speechSegmentsOffThread } from './worker-segments.js';
import { averageLogprob, round, wordsFromTokens, type TranscriptSegment } from './transcript.js';

export interface TranscriptionJob {
  model: InstalledSttModel;
  options: RecognitionOptions;
  /** Silero VAD model; without one, long audio is cut into fixed windows. */
  vadModel?: string;
  /** Audio longer than this is refused (AudioTooLongError) once decoding passes it. */
  maxAudioSeconds: number;
  /** Measure each segment's no-speech probability with the VAD model (verbose_json reports it). */
  measureNoSpeech?: boolean;
}

/** Counts the audio that went through, so the transcript can report the file's duration. */
export class AudioMeter {
  samples = 0;
  get seconds(): number {
    return round(this.samples / STT_SAMPLE_RATE);
  }
}

/** Recognises one stretch of 16 kHz speech as a job on the model's queue. */
export function recognize(pool: ModelPool, model: InstalledSttModel, options: RecognitionOptions, samples: Float32Array) {
  return pool.runStt(model.id, options, (recognizer) => recognizer.recognize(samples, STT_SAMPLE_RATE));
}

/**
 * Audio file → transcript segments, as each finishes: decoded in pieces, resampled to 16 kHz,
 * cut into speech segments (Silero VAD) in the audio worker pool, and each segment recognised
 * as its own job on the model's queue. Memory holds the encoded file and a couple of segments,
 * whatever the file's length.
 */
export async function* transcribe(bytes: Uint8Array, job: TranscriptionJob, pool: ModelPool, meter: AudioMeter): AsyncGenerator<TranscriptSegment> {
  const { model, options } = job;
  const maxSeconds = model.capabilities.max_segment_seconds;
  const segments = speechSegmentsOffThread(bytes, { vadModel: job.vadModel, maxSegmentSeconds: maxSeconds, maxAudioSeconds: job.maxAudioSeconds, measureNoSpeech: job.measureNoSpeech === true }, (samples) => {
    meter.samples = samples;
  });
  let id = 0;
  for await (const segment of segments) {
    const result = await recognize(pool, model, options, segment.samples);
    const text = result.text.trim();
    if (!text) continue;
    const end = segment.start + segment.samples.length / STT_SAMPLE_RATE;
    const words = model.capabilities.word_timestamps && result.tokens && result.timestamps ? wordsFromTokens(result.tokens, result.timestamps, segment.start, end, result.durations) : [];
    const noSpeechProb = segment.speechProbability !== undefined ? round(1 - segment.speechProbability) : undefined;
    yield { id: id++, start: round(segment.start), end: round(end), text, words, language: model.family.resultLanguage?.(result), avgLogprob: averageLogprob(result.ys_log_probs), noSpeechProb };
  }
}
