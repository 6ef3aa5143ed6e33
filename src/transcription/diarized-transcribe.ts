import type { ModelPool } from '../engine/model-pool.js';
import { diarizeAsync, type DiarizationTurn } from '../native/sherpa.js';
import { InvalidRequestError } from '../errors.js';
import { embedSpeech } from '../speakers/speech-embedding.js';
import { STT_SAMPLE_RATE } from '../audio/speech-segments.js';
import { SpeakerLabeller, type LocalSpeaker } from './speaker-labels.js';
import type { AudioMeter, TranscriptionJob } from './transcribe.js';
import { speechSegmentsOffThread } from './worker-segments.js';
import { round, wordsFromTokens, averageLogprob, type TranscriptSegment } from './transcript.js';

/**
 * Audio is diarized a window at a time, so memory holds a few windows (the one diarized and the
 * ones the decoder has cut ahead; 3 min at 16 kHz is 11.5 MB of samples) whatever the file's
 * length; speakers are matched across windows by their embeddings.
 */
export const DIARIZATION_WINDOW_SECONDS = 180;
/** OpenAI's rule: diarizing more than this needs `chunking_strategy`. */
export const UNCHUNKED_LIMIT_SECONDS = 30;
/** Seconds of a speaker's speech in a window that its embedding is made from. */
const EMBEDDING_SECONDS = 30;
/** Audio kept around each turn, so words at its edges are not clipped. */
const TURN_PADDING_SECONDS = 0.1;

/** A clip of a named speaker, 16 kHz mono. */
export interface KnownSpeakerClip {
  name: string;
  samples: Float32Array;
}

export interface DiarizationJob extends TranscriptionJob {
  segmentationModel: string;
  embeddingModel: string;
  known: readonly KnownSpeakerClip[];
  /** Without a chunking strategy, audio past UNCHUNKED_LIMIT_SECONDS is refused. */
  chunked: boolean;
  /** Seconds diarized at once (default DIARIZATION_WINDOW_SECONDS). */
  windowSeconds?: number;
}

export type DiarizedSegment = TranscriptSegment & { speaker: string };

const sampleAt = (seconds: number, length: number) => Math.max(0, Math.min(length, Math.round(seconds * STT_SAMPLE_RATE)));

/** Each local speaker's speech in the window (up to EMBEDDING_SECONDS), in order of first appearance. */
function speechBySpeaker(window: Float32Array, turns: readonly DiarizationTurn[]): Map<number, Float32Array> {
  const pieces = new Map<number, Float32Array[]>();
  const limit = EMBEDDING_SECONDS * STT_SAMPLE_RATE;
  for (const turn of turns) {
    const list = pieces.get(turn.speaker) ?? [];
    const have = list.reduce((n, p) => n + p.length, 0);
    if (have < limit) list.push(window.subarray(sampleAt(turn.start, window.length), Math.min(sampleAt(turn.end, window.length), sampleAt(turn.start, window.length) + limit - have)));
    pieces.set(turn.speaker, list);
  }
  const joined = new Map<number, Float32Array>();
  for (const [speaker, list] of pieces) {
    const samples = new Float32Array(list.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of list) {
      samples.set(p, at);
      at += p.length;
    }
    joined.set(speaker, samples);
  }
  return joined;
}

/** A turn cut into pieces the recognizer takes whole. */
function pieces(turn: DiarizationTurn, maxSeconds: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let start = turn.start; start < turn.end; start += maxSeconds) out.push({ start, end: Math.min(turn.end, start + maxSeconds) });
  return out;
}

/**
 * Audio file → transcript segments labelled with speakers: each window is diarized (pyannote
 * segmentation, embeddings, clustering), its speakers named (known voices, else letters A, B, …
 * kept across windows), and each speaker turn recognised as its own segment.
 */
export async function* diarizedTranscribe(bytes: Uint8Array, job: DiarizationJob, pool: ModelPool, meter: AudioMeter): AsyncGenerator<DiarizedSegment> {
  const known = [];
  for (const clip of job.known) known.push({ name: clip.name, embedding: await embedSpeech(pool, job.embeddingModel, clip.samples) });
  const labeller = new SpeakerLabeller(known);
  const { model, options } = job;
  const maxSeconds = model.capabilities.max_segment_seconds;
  // Decoding and resampling run in the audio worker pool; fixed windows come back, no VAD cuts.
  const windows = speechSegmentsOffThread(
    bytes,
    { maxSegmentSeconds: job.windowSeconds ?? DIARIZATION_WINDOW_SECONDS, maxAudioSeconds: job.maxAudioSeconds, measureNoSpeech: false },
    (samples) => (meter.samples = samples),
  );
  let id = 0;
  for await (const { start: base, samples: window } of windows) {
    if (!job.chunked && base + window.length / STT_SAMPLE_RATE > UNCHUNKED_LIMIT_SECONDS) {
      throw new InvalidRequestError(
        `chunking_strategy is required to diarize audio longer than ${UNCHUNKED_LIMIT_SECONDS} s: send chunking_strategy=auto`,
        'chunking_strategy',
        'chunking_strategy_required',
      );
    }
    const turns = await pool.runDiarization(job.segmentationModel, (diarizer) => diarizeAsync(diarizer, window));
    const locals: LocalSpeaker[] = [];
    for (const [speaker, speech] of speechBySpeaker(window, turns)) locals.push({ speaker, embedding: await embedSpeech(pool, job.embeddingModel, speech) });
    const labels = labeller.label(locals);
    for (const turn of turns) {
      for (const piece of pieces(turn, maxSeconds)) {
        const from = sampleAt(piece.start - TURN_PADDING_SECONDS, window.length);
        const to = sampleAt(piece.end + TURN_PADDING_SECONDS, window.length);
        const result = await pool.runStt(model.id, options, (recognizer) => recognizer.recognize(window.subarray(from, to), STT_SAMPLE_RATE));
        const text = result.text.trim();
        if (!text) continue;
        const start = base + from / STT_SAMPLE_RATE;
        const end = base + to / STT_SAMPLE_RATE;
        const words = model.capabilities.word_timestamps && result.tokens && result.timestamps ? wordsFromTokens(result.tokens, result.timestamps, start, end, result.durations) : [];
        yield {
          id: id++,
          start: round(base + piece.start),
          end: round(base + piece.end),
          text,
          words,
          language: model.family.resultLanguage?.(result),
          avgLogprob: averageLogprob(result.ys_log_probs),
          speaker: labels.get(turn.speaker)!,
        };
      }
    }
  }
}
