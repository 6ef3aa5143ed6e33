import type { MonoAudio } from './pcm.js';

const FRAME_SECONDS = 0.02;
/** Frames quieter than this fraction of the loudest frame's RMS count as silence. */
const RELATIVE_THRESHOLD = 0.05;
/** Keep a little of the silence so that onsets and decays are not clipped. */
const MARGIN_SECONDS = 0.05;

/** Cuts leading and trailing silence; a clip with no loud frame is returned as it is. */
export function trimSilence(audio: MonoAudio): MonoAudio {
  const frame = Math.max(1, Math.round(audio.sampleRate * FRAME_SECONDS));
  const frames = Math.ceil(audio.samples.length / frame);
  const rms = new Float32Array(frames);
  for (let f = 0; f < frames; f += 1) {
    const part = audio.samples.subarray(f * frame, (f + 1) * frame);
    let sum = 0;
    for (const s of part) sum += s * s;
    rms[f] = Math.sqrt(sum / part.length);
  }
  const threshold = Math.max(...rms) * RELATIVE_THRESHOLD;
  if (threshold === 0) return audio;
  const first = rms.findIndex((r) => r > threshold);
  const last = rms.findLastIndex((r) => r > threshold);
  const margin = Math.round(audio.sampleRate * MARGIN_SECONDS);
  const start = Math.max(0, first * frame - margin);
  const end = Math.min(audio.samples.length, (last + 1) * frame + margin);
  return { samples: audio.samples.slice(start, end), sampleRate: audio.sampleRate };
}
