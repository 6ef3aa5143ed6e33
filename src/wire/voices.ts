/** A saved voice as `/v1/voices` shows it; its clip is stored beside it. */
export interface SavedVoice {
  id: string;
  object: 'voice';
  created_at: number;
  /** What is said in the clip; null until given or transcribed. */
  transcript: string | null;
  /** The model the voice was saved for, if the client named one. */
  model: string | null;
  sample_rate: number;
  duration_seconds: number;
}
