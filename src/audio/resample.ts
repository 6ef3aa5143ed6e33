import { sherpa } from '../native/sherpa.js';
import type { MonoAudio } from './pcm.js';

/** Resamples with sherpa-onnx's band-limited (windowed-sinc) resampler. */
export function resample(audio: MonoAudio, targetRate: number): MonoAudio {
  if (audio.sampleRate === targetRate) return audio;
  const resampler = new sherpa.LinearResampler(audio.sampleRate, targetRate);
  return { samples: resampler.flush(audio.samples), sampleRate: targetRate };
}
