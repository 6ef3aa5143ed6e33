import type { MonoAudio } from './pcm.js';

const FRAME_SECONDS = 0.02;
/** Frames quieter than this fraction of the loudest frame's RMS count as silence. */
const RELATIVE_THRESHOLD = 0.05;
/** Below this RMS (about -80 dBFS) a clip holds no sound at all. */
const SILENCE_FLOOR = 1e-4;
/** Keep a little of the silence so that onsets and decays are not clipped. */
const MARGIN_SECONDS = 0.05;

/** Cuts leading and trailing silence; a clip that is silent throughout comes back empty. */
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
  const loudest = Math.max(...rms);
  if (loudest < SILENCE_FLOOR) return { samples: new Float32Array(0), sampleRate: audio.sampleRate };
  const threshold = loudest * RELATIVE_THRESHOLD;
  const first = rms.findIndex((r) => r > threshold);
  const last = rms.findLastIndex((r) => r > threshold);
  const margin = Math.round(audio.sampleRate * MARGIN_SECONDS);
  const start = Math.max(0, first * frame - margin);
  const end = Math.min(audio.samples.length, (last + 1) * frame + margin);
  return { samples: audio.samples.slice(start, end), sampleRate: audio.sampleRate };
}
