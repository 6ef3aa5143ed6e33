/**
 * Starts the reference setup on one machine: PostgreSQL, N Vocable replicas sharing it, HAProxy in
 * front. Ctrl-C (or SIGTERM) stops it all: the replicas drain one by one, then HAProxy and the
 * database stop.
 *
 *   node --import tsx deploy/replicas/start.ts --replicas 3 --models-dir ./models
 *
 * Options: --replicas N (2), --port P for HAProxy (8000), --stats-port (8404), --first-port
 * (8101: replicas on 8101, 8102, ...), --models-dir (./models, read by every replica), --state-dir
 * (/tmp/vocable-replicas: the database cluster and each replica's data folder; the cluster is kept
 * between runs), --voice-store URL (an existing PostgreSQL instead of a local one), --drain-seconds
 * (3: longer than HAProxy's check interval times its fall count).
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startBalancer, startPostgres, startReplica, type Replica } from './cluster.js';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '2' },
    port: { type: 'string', default: '8000' },
    'stats-port': { type: 'string', default: '8404' },
    'first-port': { type: 'string', default: '8101' },
    'models-dir': { type: 'string', default: './models' },
    'state-dir': { type: 'string', default: '/tmp/vocable-replicas' },
    'voice-store': { type: 'string' },
    'drain-seconds': { type: 'string', default: '3' },
  },
});
const count = Number(values.replicas);
const firstPort = Number(values['first-port']);
const stateDir = resolve(values['state-dir']);
await mkdir(stateDir, { recursive: true, mode: 0o755 });

const postgres = values['voice-store'] ? undefined : await startPostgres(join(stateDir, 'postgres'), firstPort - 1);
const voiceStore = values['voice-store'] ?? postgres!.url;
console.log(`voice store: ${postgres ? `PostgreSQL in ${join(stateDir, 'postgres')}, ` : ''}${voiceStore}`);

const replicas: Replica[] = [];
for (let i = 0; i < count; i += 1) {
  const name = `replica${i + 1}`;
  const dataDir = join(stateDir, name);
  await mkdir(dataDir, { recursive: true });
  const replica = await startReplica({ name, port: firstPort + i, modelsDir: resolve(values['models-dir']), dataDir, voiceStore, drainSeconds: Number(values['drain-seconds']) });
  replicas.push(replica);
  console.log(`${name}: ${replica.url} (pid ${replica.pid})`);
}
const balancer = await startBalancer({ port: Number(values.port), statsPort: Number(values['stats-port']), replicas, dir: stateDir });
console.log(`HAProxy: ${balancer.url} (stats ${balancer.statsUrl}); Ctrl-C stops everything`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('stopping: replicas drain one at a time, then HAProxy and the database');
  for (const replica of replicas) console.log(`${replica.name} exited with ${await replica.terminate()}`);
  await balancer.stop();
  await postgres?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
for (const replica of replicas) {
  void replica.exited.then((code) => {
    if (!stopping) console.log(`${replica.name} exited unexpectedly with ${code}: ${replica.log().split('\n').slice(-5).join('\n')}`);
  });
}
