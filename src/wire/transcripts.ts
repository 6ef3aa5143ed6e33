/** `response_format: verbose_json` of /v1/audio/transcriptions and /translations (OpenAI's shape). */

export interface WordTimestamp {
  word: string;
  start: number;
  end: number;
}

export interface VerboseSegment {
  id: number;
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  temperature: number;
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
  /** With speaker labels: a known speaker's name or a letter (A, B, …) per voice. */
  speaker?: string;
}

/** A segment's times and text (and speaker): all a streamed delta or a subtitle cue carries. */
export type TimedText = Pick<VerboseSegment, 'start' | 'end' | 'text' | 'speaker'>;

export interface VerboseTranscript {
  task: 'transcribe' | 'translate';
  language: string;
  duration: number;
  text: string;
  /** Present unless only word timestamps were asked for. */
  segments?: VerboseSegment[];
  words?: WordTimestamp[];
}
