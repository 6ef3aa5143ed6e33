/** A transcription in the original timeline, before it is formatted for the client. */
export interface TranscriptWord {
  word: string;
  start: number;
  end: number;
}

export interface TranscriptSegment {
  id: number;
  start: number;
  end: number;
  text: string;
  words: TranscriptWord[];
  /** The language the model reported for this segment, if it reports one. */
  language?: string;
  /** Mean log-probability of its tokens, where the model reports them. */
  avgLogprob?: number;
  /** 1 − Silero VAD's mean speech probability over the segment's audio, where it was measured. */
  noSpeechProb?: number;
  /** Who speaks it, when the transcript is diarized: a known speaker's name or a letter. */
  speaker?: string;
}

export interface Transcript {
  task: 'transcribe' | 'translate';
  language: string;
  /** Seconds of audio in the file. */
  duration: number;
  segments: TranscriptSegment[];
}

export const transcriptText = (segments: readonly TranscriptSegment[]): string =>
  segments
    .map((s) => s.text)
    .filter(Boolean)
    .join(' ');

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

/**
 * Words from a recognizer's tokens and their start times (seconds, in the segment). A token
 * that begins with a space or SentencePiece's "▁" starts a word; CJK characters are words of
 * their own. Where the model reports token durations (TDT), a word ends when its last token
 * does; otherwise where the next word begins, the last at the segment's end.
 */
export function wordsFromTokens(tokens: readonly string[], times: readonly number[], offset: number, segmentEnd: number, durations?: readonly number[]): TranscriptWord[] {
  const words: { text: string; start: number; end?: number }[] = [];
  tokens.forEach((token, i) => {
    const start = offset + (times[i] ?? 0);
    const startsWord = /^[\s▁]/.test(token) || CJK.test(token) || words.length === 0 || CJK.test(words.at(-1)!.text);
    const text = token.replace(/▁/g, ' ');
    if (startsWord) words.push({ text: text.trim(), start });
    else words.at(-1)!.text += text.trim();
    const duration = durations?.[i];
    if (duration !== undefined && duration > 0) words.at(-1)!.end = start + duration;
  });
  return words
    .filter((w) => w.text.length > 0)
    .map((w, i, all) => {
      const next = all[i + 1]?.start ?? segmentEnd;
      return { word: w.text, start: round(w.start), end: round(Math.min(segmentEnd, next, Math.max(w.start, w.end ?? next))) };
    });
}

/** The mean of a result's token log-probabilities, or undefined when it has none. */
export function averageLogprob(logprobs: readonly number[] | undefined): number | undefined {
  if (!logprobs || logprobs.length === 0) return undefined;
  return round(logprobs.reduce((sum, p) => sum + p, 0) / logprobs.length);
}

export const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;
