import { Worker } from 'node:worker_threads';

/**
 * Runs export `name` of task module `module` (a file beside `callerUrl`, in the caller's own
 * extension: .ts under tsx, .js once built) in a worker thread of its own, for long CPU-bound
 * work that must not hold the event loop nor share a thread with other work. Resolves with what
 * the export returns; a signal that aborts ends the thread.
 */
export function runInThread<T>(callerUrl: string, module: string, name: string, args: unknown, signal?: AbortSignal): Promise<T> {
  const moduleUrl = new URL(`./${module}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl).href;
  const worker = new Worker(new URL('./thread-entry.mjs', import.meta.url), { workerData: { module: moduleUrl, name, args } });
  return new Promise<T>((resolve, reject) => {
    let result: { value: T } | undefined;
    const abort = () => void worker.terminate();
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (value: T) => (result = { value }));
    worker.on('error', reject);
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      if (result) resolve(result.value);
      else reject(signal?.aborted ? signal.reason : new Error(`the worker thread for ${module}.${name} stopped (exit code ${code}) without an answer`));
    });
  });
}
