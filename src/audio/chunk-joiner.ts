/**
 * Joins separately synthesised text chunks without clicks: each chunk fades in and out over a
 * few milliseconds and a short silence separates chunks. Audio is passed on as it arrives, except
 * the last few milliseconds of a chunk, held back until the chunk is known to be complete.
 */
export class ChunkJoiner {
  private readonly fade: number;
  private readonly gap: number;
  private tail = new Float32Array(0);
  private startOfChunk = true;
  /** The silence before the next chunk, sent only once that chunk has audio so none trails the end. */
  private gapPending = false;

  constructor(sampleRate: number, gapSeconds: number, fadeSeconds = 0.005) {
    this.fade = Math.max(1, Math.round(sampleRate * fadeSeconds));
    this.gap = Math.round(sampleRate * gapSeconds);
  }

  /** More samples of the current chunk; returns what may be sent now. */
  push(samples: Float32Array): Float32Array {
    if (samples.length === 0) return samples;
    const lead = this.gapPending ? this.gap : 0;
    this.gapPending = false;
    const all = new Float32Array(lead + this.tail.length + samples.length);
    all.set(this.tail, lead);
    all.set(samples, lead + this.tail.length);
    if (this.startOfChunk) {
      this.startOfChunk = false;
      const ramp = Math.min(this.fade, all.length - lead);
      for (let i = 0; i < ramp; i += 1) all[lead + i]! *= i / ramp;
    }
    const keep = Math.min(this.fade, all.length - lead);
    this.tail = all.slice(all.length - keep);
    return all.subarray(0, all.length - keep);
  }

  /** The current chunk is complete: its faded tail. */
  endChunk(): Float32Array {
    const out = this.tail;
    for (let i = 0; i < out.length; i += 1) out[i]! *= (out.length - i) / out.length;
    this.tail = new Float32Array(0);
    this.startOfChunk = true;
    this.gapPending = true;
    return out;
  }
}
