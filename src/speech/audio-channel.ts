/**
 * A one-producer, one-consumer queue of audio chunks: the engine's progress callback pushes,
 * the HTTP response pulls with `for await`. Unbounded, which is fine for audio (about 100 KB per
 * second of 24 kHz float samples) and keeps the engine from ever waiting on a slow client.
 */
export class AudioChannel implements AsyncIterable<Float32Array> {
  private readonly buffered: Float32Array[] = [];
  private waiter?: () => void;
  private closed = false;
  private failure?: unknown;

  push(samples: Float32Array): void {
    if (samples.length === 0 || this.closed) return;
    this.buffered.push(samples);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  fail(error: unknown): void {
    this.failure = error;
    this.close();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Float32Array> {
    for (;;) {
      const next = this.buffered.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}
