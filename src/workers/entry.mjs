// The audio worker pool's entry (src/audio/worker-pool.ts): runs one export of a task module.
// Worker threads do not inherit the main thread's module hooks, so TypeScript sources (run by
// tsx in development and tests) get tsx registered here, once (its on-disk cache is off: see
// the pool's environment in worker-pool.ts).
let tsxRegistered;

async function load(module) {
  if (module.endsWith('.ts')) {
    tsxRegistered ??= import('tsx/esm/api').then((tsx) => tsx.register());
    await tsxRegistered;
  }
  return import(module);
}

export default async function run({ module, name, args }) {
  const tasks = await load(module);
  return tasks[name](args);
}
