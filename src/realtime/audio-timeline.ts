/**
 * A session's 16 kHz audio since a point, addressed by absolute sample index (sample 0 is the
 * session's first). The front is dropped once no turn can need it, so memory holds at most the
 * open turn and its padding.
 */
export class AudioTimeline {
  private chunks: Float32Array[] = [];
  /** Absolute index of the first retained sample. */
  private first = 0;
  private length = 0;

  /** Absolute index one past the last sample. */
  get end(): number {
    return this.first + this.length;
  }

  get start(): number {
    return this.first;
  }

  append(samples: Float32Array): void {
    if (samples.length === 0) return;
    this.chunks.push(samples);
    this.length += samples.length;
  }

  /** Samples from `from` to `to` (absolute, clamped to what is retained). */
  slice(from: number, to = this.end): Float32Array {
    const start = Math.max(from, this.first);
    const stop = Math.min(to, this.end);
    const out = new Float32Array(Math.max(0, stop - start));
    let at = this.first;
    for (const chunk of this.chunks) {
      const chunkEnd = at + chunk.length;
      if (chunkEnd > start && at < stop) {
        const a = Math.max(start, at) - at;
        const b = Math.min(stop, chunkEnd) - at;
        out.set(chunk.subarray(a, b), Math.max(start, at) - start);
      }
      at = chunkEnd;
    }
    return out;
  }

  /** Forgets samples before `index`. */
  dropBefore(index: number): void {
    while (this.chunks.length > 0 && this.first + this.chunks[0]!.length <= index) {
      const chunk = this.chunks.shift()!;
      this.first += chunk.length;
      this.length -= chunk.length;
    }
    if (this.chunks.length > 0 && index > this.first) {
      const cut = index - this.first;
      this.chunks[0] = this.chunks[0]!.subarray(cut);
      this.first += cut;
      this.length -= cut;
    }
  }

  /** Forgets everything; the timeline continues from its end. */
  clear(): void {
    this.dropBefore(this.end);
  }
}
