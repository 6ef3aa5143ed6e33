import type { MonoAudio } from '../audio/pcm.js';
import { resample } from '../audio/resample.js';
import type { ModelPool } from '../engine/model-pool.js';
import { diarizeAsync } from '../native/sherpa.js';
import { SPEAKER_SAMPLE_RATE } from './speech-embedding.js';

/** What the speaker models hear in a reference clip. */
export interface SpeakerCheck {
  /** Distinct voices found (0 when the segmentation hears no speech). */
  speakers: number;
  /** With more than one voice: the part to keep, in seconds from the clip's first sound. */
  keep?: { start: number; end: number };
  warning?: string;
}

const seconds = (s: number) => Math.round(s * 10) / 10;

/**
 * Counts the voices in a clip with the installed diarizer; undefined when no speaker models are
 * installed. A clip with two voices makes a blended clone, so the check names the part to keep:
 * the longest turn of the voice that speaks most.
 */
export async function clipSpeakers(pool: ModelPool, audio: MonoAudio): Promise<SpeakerCheck | undefined> {
  const segmentation = pool.speakerModel('segmentation');
  if (!segmentation || !pool.speakerModel('embedding')) return undefined;
  const samples = resample(audio, SPEAKER_SAMPLE_RATE).samples;
  const turns = await pool.runDiarization(segmentation.id, (diarizer) => diarizeAsync(diarizer, samples));
  const speech = new Map<number, number>();
  for (const turn of turns) speech.set(turn.speaker, (speech.get(turn.speaker) ?? 0) + turn.end - turn.start);
  if (speech.size <= 1) return { speakers: speech.size };
  const main = [...speech].sort((a, b) => b[1] - a[1])[0]![0];
  const longest = turns.filter((t) => t.speaker === main).sort((a, b) => b.end - b.start - (a.end - a.start))[0]!;
  const keep = { start: seconds(longest.start), end: seconds(longest.end) };
  return {
    speakers: speech.size,
    keep,
    warning: `The clip holds ${speech.size} voices, so a clone would blend them. Keep ${keep.start}-${keep.end} s (counted from the clip's first sound): the longest stretch of the voice that speaks most. Send that part alone.`,
  };
}
