export class QueueFullError extends Error {}

/**
 * Runs jobs one at a time, in arrival order. At most `maxWaiting` jobs may wait behind the
 * running one; a job past that is refused at once rather than left to pile up.
 */
/** Weight of the newest job in the running mean of job durations. */
const DURATION_SMOOTHING = 0.2;

export class SerialJobQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private running = false;
  /** A running mean of how long jobs take, in seconds (0 before the first finishes). */
  private meanJobSeconds = 0;

  constructor(private readonly maxWaiting: number) {}

  get depth(): number {
    return this.waiting + (this.running ? 1 : 0);
  }

  /** Whether a job given now would be refused. */
  get full(): boolean {
    return this.depth > this.maxWaiting;
  }

  /** About how long until a job given now would start: the jobs ahead of it at their mean duration. */
  get expectedWaitSeconds(): number {
    return this.depth * this.meanJobSeconds;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.full) {
      return Promise.reject(new QueueFullError(`${this.waiting} requests are already waiting`));
    }
    this.waiting += 1;
    const result = this.tail.then(async () => {
      this.waiting -= 1;
      this.running = true;
      const started = performance.now();
      try {
        return await job();
      } finally {
        this.running = false;
        const seconds = (performance.now() - started) / 1000;
        this.meanJobSeconds = this.meanJobSeconds === 0 ? seconds : this.meanJobSeconds + DURATION_SMOOTHING * (seconds - this.meanJobSeconds);
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
