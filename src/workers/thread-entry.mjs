// The entry of a worker thread of its own (src/workers/run-in-thread.ts): runs one export of a
// task module with `workerData.args` and posts what it returns. Worker threads do not inherit
// the main thread's module hooks, so TypeScript sources (run by tsx in development and tests)
// get tsx registered here first.
import { parentPort, workerData } from 'node:worker_threads';

const { module, name, args } = workerData;
if (module.endsWith('.ts')) (await import('tsx/esm/api')).register();
const tasks = await import(module);
parentPort.postMessage(await tasks[name](args));
