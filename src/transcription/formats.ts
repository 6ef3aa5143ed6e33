import type { VerboseTranscript } from '../wire/transcripts.js';
import { gzipSync } from 'node:zlib';
import { transcriptText, type Transcript, type TranscriptSegment } from './transcript.js';

export const TRANSCRIPTION_FORMATS = ['json', 'text', 'srt', 'vtt', 'verbose_json', 'diarized_json'] as const;
export type TranscriptionFormat = (typeof TRANSCRIPTION_FORMATS)[number];

export interface FormatOptions {
  /** `timestamp_granularities[]`: words are listed only when asked for. */
  words: boolean;
  segmentsAsked: boolean;
  temperature: number;
}

function clock(seconds: number, separator: ',' | '.'): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

const cues = (segments: readonly TranscriptSegment[]) => segments.filter((s) => s.text.length > 0);

const vttEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

type Cue = Pick<TranscriptSegment, 'start' | 'end' | 'text' | 'speaker'>;

/** One SRT cue, numbered from 1, without the blank line that separates cues. SRT has no speaker markup; the convention is a "Name: " prefix. */
export const srtCue = (number: number, cue: Cue): string => `${number}\n${clock(cue.start, ',')} --> ${clock(cue.end, ',')}\n${cue.speaker !== undefined ? `${cue.speaker}: ` : ''}${cue.text}\n`;

/** One WebVTT cue, without the blank line that separates cues; a speaker as a voice span. */
export const vttCue = (cue: Cue): string => `${clock(cue.start, '.')} --> ${clock(cue.end, '.')}\n${cue.speaker !== undefined ? `<v ${vttEscape(cue.speaker)}>` : ''}${cue.text}\n`;

export const VTT_HEADER = 'WEBVTT\n\n';

export function toSrt(segments: readonly TranscriptSegment[]): string {
  return cues(segments)
    .map((s, i) => srtCue(i + 1, s))
    .join('\n');
}

/** WebVTT names speakers with voice spans: `<v A>text`. */
export function toVtt(segments: readonly TranscriptSegment[]): string {
  return `${VTT_HEADER}${cues(segments)
    .map((s) => vttCue(s))
    .join('\n')}`;
}

/** A diarized segment's id, as OpenAI shapes them ("seg_001"). */
export const segmentId = (id: number): string => `seg_${String(id + 1).padStart(3, '0')}`;

/** One segment of OpenAI's diarized_json, also the `transcript.text.segment` stream event. */
export function diarizedSegment(segment: TranscriptSegment) {
  return { type: 'transcript.text.segment' as const, id: segmentId(segment.id), start: segment.start, end: segment.end, text: segment.text, speaker: segment.speaker ?? 'A' };
}

/** OpenAI's diarized_json: task, duration, text, speaker-labelled segments and duration usage. */
export function toDiarizedJson(transcript: Transcript) {
  return {
    task: 'transcribe' as const,
    duration: transcript.duration,
    text: transcriptText(transcript.segments),
    segments: transcript.segments.map(diarizedSegment),
    usage: { type: 'duration' as const, seconds: transcript.duration },
  };
}

/** zlib's compression ratio of the text, as Whisper reports it (high values flag repetition). */
function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length === 0 ? 0 : Math.round((bytes.length / gzipSync(bytes).length) * 1000) / 1000;
}

/** OpenAI's verbose_json: task, language, duration, text, segments and, when asked, words. */
export function toVerboseJson(transcript: Transcript, options: FormatOptions): VerboseTranscript {
  const words = transcript.segments.flatMap((s) => s.words);
  return {
    task: transcript.task,
    language: transcript.language,
    duration: transcript.duration,
    text: transcriptText(transcript.segments),
    ...(options.segmentsAsked || !options.words
      ? {
          segments: transcript.segments.map((s) => ({
            id: s.id,
            seek: Math.round(s.start * 100),
            start: s.start,
            end: s.end,
            text: s.text,
            // The engine reports token strings, not ids; log-probabilities only for transducers.
            tokens: [] as number[],
            temperature: options.temperature,
            // OpenAI's schema requires numbers: where nothing measured them, 0 stands in (no
            // penalty, no silence) and unmeasuredFields() names them in X-Unmeasured-Fields.
            avg_logprob: s.avgLogprob ?? 0,
            compression_ratio: compressionRatio(s.text),
            no_speech_prob: s.noSpeechProb ?? 0,
            ...(s.speaker !== undefined ? { speaker: s.speaker } : {}),
          })),
        }
      : {}),
    ...(options.words ? { words } : {}),
  };
}

/**
 * The verbose_json segment fields no measurement stands behind in this transcript: a model that
 * reports no token log-probabilities (all but transducers), or no VAD model to measure speech.
 */
export function unmeasuredFields(segments: readonly TranscriptSegment[]): string[] {
  return [
    ...(segments.some((s) => s.avgLogprob === undefined) ? ['segments.avg_logprob'] : []),
    ...(segments.some((s) => s.noSpeechProb === undefined) ? ['segments.no_speech_prob'] : []),
  ];
}

/** The response body and its content type for a finished transcript. */
export function formatTranscript(transcript: Transcript, format: TranscriptionFormat, options: FormatOptions): { type: string; body: string } {
  switch (format) {
    case 'text':
      return { type: 'text/plain; charset=utf-8', body: `${transcriptText(transcript.segments)}\n` };
    case 'srt':
      return { type: 'application/x-subrip; charset=utf-8', body: toSrt(transcript.segments) };
    case 'vtt':
      return { type: 'text/vtt; charset=utf-8', body: toVtt(transcript.segments) };
    case 'verbose_json':
      return { type: 'application/json; charset=utf-8', body: JSON.stringify(toVerboseJson(transcript, options)) };
    case 'diarized_json':
      return { type: 'application/json; charset=utf-8', body: JSON.stringify(toDiarizedJson(transcript)) };
    case 'json':
      return { type: 'application/json; charset=utf-8', body: JSON.stringify({ text: transcriptText(transcript.segments) }) };
  }
}
