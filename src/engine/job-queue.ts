export class QueueFullError extends Error {}

/**
 * Runs jobs one at a time, in arrival order. At most `maxWaiting` jobs may wait behind the
 * running one; a job past that is refused at once rather than left to pile up.
 */
export class SerialJobQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private running = false;

  constructor(private readonly maxWaiting: number) {}

  get depth(): number {
    return this.waiting + (this.running ? 1 : 0);
  }

  /** Whether a job given now would be refused. */
  get full(): boolean {
    return this.depth > this.maxWaiting;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.full) {
      return Promise.reject(new QueueFullError(`${this.waiting} requests are already waiting`));
    }
    this.waiting += 1;
    const result = this.tail.then(async () => {
      this.waiting -= 1;
      this.running = true;
      try {
        return await job();
      } finally {
        this.running = false;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
