import { ServiceBusyError } from '../errors.js';

/** No room to wait: the pool answers with its own estimate of when to retry. */
export class QueueFullError extends ServiceBusyError {}

/** Weight of the newest job in the running mean of job durations. */
const DURATION_SMOOTHING = 0.2;

/**
 * Runs jobs in arrival order on `lanes` lanes (a model's instances), one job per lane at a
 * time. At most `maxWaiting` jobs may wait for a lane; a job past that is refused at once
 * rather than left to pile up.
 */
export class JobQueue {
  private readonly waiters: ((lane: number) => void)[] = [];
  private readonly freeLanes: number[];
  private meanSeconds = 0;

  constructor(
    private readonly maxWaiting: number,
    readonly lanes = 1,
  ) {
    this.freeLanes = Array.from({ length: lanes }, (_, i) => lanes - 1 - i);
  }

  /** A running mean of how long jobs take, in seconds (0 before the first finishes). */
  get meanJobSeconds(): number {
    return this.meanSeconds;
  }

  get running(): number {
    return this.lanes - this.freeLanes.length;
  }

  get depth(): number {
    return this.waiters.length + this.running;
  }

  /** Whether a job given now would be refused. */
  get full(): boolean {
    return this.depth >= this.maxWaiting + this.lanes;
  }

  /** About how long until a job given now would start: the jobs ahead of it at their mean duration, spread over the lanes. */
  get expectedWaitSeconds(): number {
    return (this.depth * this.meanSeconds) / this.lanes;
  }

  /** Runs `job` on the first lane free, handing it the lane's number (0 … lanes-1). */
  async run<T>(job: (lane: number) => Promise<T>): Promise<T> {
    if (this.full) throw new QueueFullError(`${this.waiters.length} requests are already waiting`);
    const lane = this.freeLanes.pop() ?? (await new Promise<number>((resolve) => this.waiters.push(resolve)));
    const started = performance.now();
    try {
      return await job(lane);
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.meanSeconds = this.meanSeconds === 0 ? seconds : this.meanSeconds + DURATION_SMOOTHING * (seconds - this.meanSeconds);
      const next = this.waiters.shift();
      if (next) next(lane);
      else this.freeLanes.push(lane);
    }
  }
}
