import { Worker } from 'node:worker_threads';

/** What the thread answers a request with: its result, or what went wrong. */
interface Reply<Result> {
  id: number;
  result?: Result;
  error?: string;
}

/** The thread's first message: loaded (with what it tells of itself), or why not. */
type Ready<Info> = ({ ready: true } & Info) | { ready: false; error?: string };

/**
 * A native engine that computes synchronously, in a worker thread of its own, so that the event
 * loop only posts requests and receives answers. Each request carries an id, and the thread's
 * source (plain CommonJS, so it needs no TypeScript loader) answers it with `{ id, result }` or
 * `{ id, error }`. The thread keeps the process alive only while a request is pending; once it
 * has stopped, whether closed or crashed, pending and later requests fail at once.
 */
export class EngineThread<Result> {
  private readonly pending = new Map<number, { resolve: (result: Result) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private stopped?: Error;
  private readonly stopListeners: (() => void)[] = [];

  private constructor(
    private readonly worker: Worker,
    private readonly what: string,
  ) {
    worker.on('message', (reply: Reply<Result>) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.result !== undefined) waiting.resolve(reply.result);
      else waiting.reject(new Error(reply.error ?? `${what} failed`));
    });
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', () => this.stop(new Error(`the ${what} thread stopped`)));
    worker.unref();
  }

  /** Starts `source` with `workerData`; resolves once it has loaded, with what its first message tells. */
  static start<Result, Info>(source: string, workerData: unknown, what: string): Promise<{ thread: EngineThread<Result>; info: Info }> {
    const worker = new Worker(source, { eval: true, workerData });
    return new Promise((resolve, reject) => {
      worker.once('message', (first: Ready<Info>) => {
        if (first.ready) resolve({ thread: new EngineThread<Result>(worker, what), info: first });
        else {
          void worker.terminate();
          reject(new Error(first.error ?? `the ${what} did not load`));
        }
      });
      worker.once('error', reject);
    });
  }

  /** Sends `message` (its `id` is added) and waits for the answer; `transfer` moves buffers instead of copying them. */
  request(message: object, transfer: Transferable[] = []): Promise<Result> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer as never);
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });
  }

  /** Sends `message`, which has no answer; requests sent later are handled after it. */
  post(message: object): void {
    this.worker.postMessage(message);
  }

  close(): void {
    void this.worker.terminate();
  }

  /** Calls `listener` once the thread is gone, whether closed or crashed. */
  onStopped(listener: () => void): void {
    if (this.stopped) listener();
    else this.stopListeners.push(listener);
  }

  private stop(error: Error): void {
    if (!this.stopped) {
      this.stopped = error;
      for (const listener of this.stopListeners.splice(0)) listener();
    }
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
