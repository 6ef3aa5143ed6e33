/** Mono audio as the engine takes and gives it: float samples in [-1, 1] at a sample rate. */
export interface MonoAudio {
  samples: Float32Array;
  sampleRate: number;
}

export function durationSeconds(audio: MonoAudio): number {
  return audio.samples.length / audio.sampleRate;
}

/** Averages channels into one. */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const length = Math.min(...channels.map((c) => c.length));
  const out = new Float32Array(length);
  for (const channel of channels) {
    for (let i = 0; i < length; i += 1) out[i]! += channel[i]!;
  }
  for (let i = 0; i < length; i += 1) out[i]! /= channels.length;
  return out;
}
