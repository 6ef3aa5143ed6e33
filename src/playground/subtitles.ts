import type { TimedText as TranscriptSegment } from '../wire/transcripts.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `hh:mm:ss,mmm` (SRT) or `hh:mm:ss.mmm` (WebVTT). */
function cueTime(seconds: number, separator: ',' | '.'): string {
  const ms = Math.round(seconds * 1000);
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor((ms % 3_600_000) / 60_000))}:${pad(Math.floor((ms % 60_000) / 1000))}${separator}${pad(ms % 1000, 3)}`;
}

const cues = (segments: readonly TranscriptSegment[]) => segments.filter((s) => s.text.trim().length > 0);

/** Speakers as the server writes them: "A: " in SRT, a voice span in WebVTT. */
export function toSrt(segments: readonly TranscriptSegment[]): string {
  return cues(segments)
    .map((s, i) => `${i + 1}\n${cueTime(s.start, ',')} --> ${cueTime(s.end, ',')}\n${s.speaker !== undefined ? `${s.speaker}: ` : ''}${s.text.trim()}\n`)
    .join('\n');
}

const escapeVtt = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function toVtt(segments: readonly TranscriptSegment[]): string {
  return `WEBVTT\n\n${cues(segments)
    .map((s) => `${cueTime(s.start, '.')} --> ${cueTime(s.end, '.')}\n${s.speaker !== undefined ? `<v ${escapeVtt(s.speaker)}>` : ''}${s.text.trim()}\n`)
    .join('\n')}`;
}

/** A short time for people: `m:ss.s`. */
export function clockTime(seconds: number): string {
  const tenths = Math.round(seconds * 10);
  return `${Math.floor(tenths / 600)}:${pad(Math.floor((tenths % 600) / 10))}.${tenths % 10}`;
}
