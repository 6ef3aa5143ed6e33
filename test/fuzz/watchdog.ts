import { Worker } from 'node:worker_threads';

const ID_BYTES = 512;

/**
 * A case that blocks the event loop (a decoder spinning in a loop) stops every timer, the
 * per-case timeout included. A worker thread watches a heartbeat instead: when the main thread
 * misses it for `limitMs`, it names the case that was running and kills the process, so the
 * run fails with a replayable case instead of hanging.
 */
export function startWatchdog(limitMs: number, replayHint: (id: string) => string): { running(id: string): void; stop(): void } {
  const shared = new SharedArrayBuffer(4 + ID_BYTES);
  const beat = new Int32Array(shared, 0, 1);
  const id = new Uint8Array(shared, 4, ID_BYTES);
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
    const beat = new Int32Array(workerData.shared, 0, 1);
    const id = new Uint8Array(workerData.shared, 4);
    let last = -1;
    let since = Date.now();
    setInterval(() => {
      const now = Atomics.load(beat, 0);
      if (now !== last) {
        last = now;
        since = Date.now();
        return;
      }
      if (Date.now() - since < workerData.limitMs) return;
      const running = Buffer.from(id).toString('utf8').replace(/\\0+$/, '');
      process.stderr.write('\\nfuzz watchdog: the event loop was blocked for ' + workerData.limitMs + ' ms in case ' + running + '\\n' + workerData.hint.replace('{id}', running) + '\\n');
      process.kill(process.pid, 'SIGKILL');
    }, 250);`,
    { eval: true, workerData: { shared, limitMs, hint: replayHint('{id}') } },
  );
  worker.unref();
  const pulse = setInterval(() => Atomics.add(beat, 0, 1), 100);
  pulse.unref();
  return {
    running(current: string) {
      id.fill(0);
      id.set(Buffer.from(current).subarray(0, ID_BYTES));
    },
    stop() {
      clearInterval(pulse);
      void worker.terminate();
    },
  };
}
