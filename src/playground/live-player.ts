/**
 * Plays 16-bit PCM through Web Audio as it streams in, each piece scheduled right after the one
 * before, so speech starts with the first chunk rather than the whole file. Where Web Audio is
 * missing or refused, it plays nothing and says so (`playing` stays false).
 */
export class LivePlayer {
  private context: AudioContext | undefined;
  private sampleRate = 0;
  private nextStart = 0;
  /** A byte left over when a chunk ends in the middle of a sample. */
  private carry: Uint8Array | undefined;
  playing = false;

  start(sampleRate: number): void {
    this.sampleRate = sampleRate;
    this.carry = undefined;
    try {
      this.context ??= new AudioContext();
      void this.context.resume();
      this.nextStart = 0;
      this.playing = true;
    } catch {
      this.playing = false;
    }
  }

  push(chunk: Uint8Array): void {
    if (!this.playing || !this.context) return;
    const bytes = this.carry ? concat(this.carry, chunk) : chunk;
    const whole = bytes.byteLength - (bytes.byteLength % 2);
    this.carry = whole < bytes.byteLength ? bytes.slice(whole) : undefined;
    if (whole === 0) return;
    const view = new DataView(bytes.buffer, bytes.byteOffset, whole);
    const samples = new Float32Array(whole / 2);
    for (let i = 0; i < samples.length; i += 1) samples[i] = view.getInt16(i * 2, true) / 32768;
    const buffer = this.context.createBuffer(1, samples.length, this.sampleRate);
    buffer.copyToChannel(samples, 0);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    // A little lead keeps the first pieces gapless while the next ones arrive.
    this.nextStart = Math.max(this.nextStart, this.context.currentTime + 0.05);
    source.start(this.nextStart);
    this.nextStart += buffer.duration;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a);
  joined.set(b, a.byteLength);
  return joined;
}
