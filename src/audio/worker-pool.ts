import { availableParallelism } from 'node:os';
import { move, Piscina, transferableSymbol, valueSymbol } from 'piscina';

/** What a worker runs: export `name` of the task module at `module`, given `args`. */
export interface WorkerTask {
  module: string;
  name: string;
  args: unknown;
}

/**
 * Tasks per worker at once. Most of a streaming task's time is spent waiting for its consumer
 * (a segment waiting for the recognizer), so a worker interleaves several; the CPU-bound steps
 * between their awaits are short.
 */
const TASKS_PER_WORKER = 16;
/** Added to the workers' nice value (Linux: per thread), so that they yield the CPU to the event loop. */
const WORKER_NICENESS = 5;

let threads = availableParallelism();
let pool: Piscina | undefined;

/**
 * Sizes the pool (before its first task; the default is one thread per core). The pool is
 * shared by the whole process: the work it takes is the machine's, whatever app asked.
 */
export function setAudioWorkerThreads(count: number): void {
  if (pool && count !== threads) throw new Error('the audio worker pool is already running');
  threads = count;
}

function workers(): Piscina {
  pool ??= new Piscina({
    filename: new URL('../workers/entry.mjs', import.meta.url).href,
    // Every thread from the start: piscina adds one only when the others are full (TASKS_PER_WORKER
    // each), so under load all the work went to one thread while the other cores idled.
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: TASKS_PER_WORKER,
    // Tasks await messages from the main thread: a worker must keep its event loop turning, never block waiting for work.
    atomics: 'disabled',
    // When the cores are all busy, the event loop (routing, /health) goes first: the workers run at a lower priority.
    niceIncrement: WORKER_NICENESS,
    // Under tsx (development, tests), its transform cache would go to the temporary folder: a server leaves nothing on disk.
    env: { ...process.env, TSX_DISABLE_CACHE: '1' },
  });
  return pool;
}

/** The URL of task module `path` (relative to the caller, no extension), in the caller's own extension (.ts run by tsx, or built .js). */
export function taskModule(callerUrl: string, path: string): string {
  return new URL(`${path.startsWith('.') ? '' : './'}${path}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl).href;
}

/** Runs `name` from task module `module` in the audio worker pool; `transfer` moves buffers instead of copying them. */
export function runInWorker<T>(module: string, name: string, args: unknown, transfer: Transferable[] = []): Promise<T> {
  const task: WorkerTask = { module, name, args };
  return workers().run(task, { transferList: transfer as never });
}

/** Bytes that can be moved to a worker: a view over a whole ArrayBuffer of its own is moved; a slice of a shared one is copied first. */
export function ownedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? new Uint8Array(bytes.buffer as ArrayBuffer) : new Uint8Array(bytes);
}

/** Samples that can be moved to a worker or back: moved when their array has its buffer to itself, else copied first. */
export function ownedSamples(samples: Float32Array): Float32Array<ArrayBuffer> {
  const whole = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength && samples.buffer instanceof ArrayBuffer;
  return whole ? (samples as Float32Array<ArrayBuffer>) : samples.slice();
}

/** A task's result whose `buffers` are moved back to the main thread, not copied (return it from the task). */
export function movedResult<T>(value: T, buffers: ArrayBuffer[]): T {
  return move({ [transferableSymbol]: buffers, [valueSymbol]: value } as never) as unknown as T;
}
