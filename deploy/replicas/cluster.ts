/**
 * The parts of the reference setup, started on one machine: a throwaway PostgreSQL, Vocable
 * replicas sharing it, and HAProxy in front. start.ts runs them; the replica tests and the
 * replica benchmark start the same parts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = join(HERE, '..', '..');
const run = promisify(execFile);

/** Polls `check` every 100 ms until it holds, for at most `seconds`. */
async function until(check: () => Promise<boolean>, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not after ${seconds} s`);
}

/** A child process with its output kept, to show when something fails. */
function spawnLogged(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 1_000_000) output = output.slice(-500_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, exited, log: () => output };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  return exited;
}

export interface Postgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A PostgreSQL cluster in `dir` (created on first use, on `port`), through scripts/throwaway-postgres.sh. */
export async function startPostgres(dir: string, port: number): Promise<Postgres> {
  const script = join(REPO, 'scripts', 'throwaway-postgres.sh');
  const url = (await run('bash', [script, 'start', dir, String(port)])).stdout.trim();
  return {
    url,
    stop: async () => void (await run('bash', [script, 'stop', dir])),
    start: async () => void (await run('bash', [script, 'start', dir])),
  };
}

export interface ReplicaOptions {
  name: string;
  port: number;
  modelsDir: string;
  dataDir: string;
  /** A PostgreSQL URL; the replicas must all name the same one. */
  voiceStore?: string;
  drainSeconds?: number;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface Replica {
  name: string;
  port: number;
  url: string;
  pid: number;
  exited: Promise<number | null>;
  log(): string;
  /** SIGTERM: drains and exits once its requests are done. Resolves with the exit code. */
  terminate(): Promise<number | null>;
  /** SIGKILL: gone at once, mid-request. */
  kill(): Promise<void>;
}

/** `vocable serve` on 127.0.0.1:`port`, offline, logging JSON; resolves once it answers. */
export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const args = ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), 'serve', '--host', '127.0.0.1', '--port', String(options.port), '--models-dir', options.modelsDir, '--data-dir', options.dataDir, '--offline'];
  if (options.voiceStore) args.push('--voice-store', options.voiceStore);
  if (options.drainSeconds !== undefined) args.push('--drain-seconds', String(options.drainSeconds));
  const { child, exited, log } = spawnLogged(process.execPath, [...args, ...(options.args ?? [])], { cwd: REPO, env: { ...process.env, ...options.env } });
  const url = `http://127.0.0.1:${options.port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    await until(async () => {
      if (gone) throw new Error('exited');
      return (await fetch(`${url}/health`)).ok;
    }, `replica ${options.name} starting`);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`replica ${options.name} did not start (${(error as Error).message}): ${log()}`);
  }
  return {
    name: options.name,
    port: options.port,
    url,
    pid: child.pid!,
    exited,
    log,
    terminate: () => stopChild(child, exited, 'SIGTERM'),
    kill: async () => void (await stopChild(child, exited, 'SIGKILL')),
  };
}

export interface BalancerOptions {
  port: number;
  statsPort: number;
  replicas: readonly { name: string; port: number }[];
  /** Where the rendered configuration is written. */
  dir: string;
}

/** deploy/replicas/haproxy.cfg with its frontends bound to loopback ports and one `server` line per replica. */
export function renderHaproxyConfig(template: string, options: Omit<BalancerOptions, 'dir'>): string {
  const servers = options.replicas.map((r) => `    server ${r.name} 127.0.0.1:${r.port}`).join('\n');
  let sectionName = '';
  const lines: string[] = [];
  for (const line of template.split('\n')) {
    const section = /^(frontend|backend)\s+(\S+)/.exec(line);
    if (section) sectionName = section[2]!;
    if (/^\s+server\s/.test(line)) {
      if (!lines.includes(servers)) lines.push(servers);
      continue;
    }
    if (/^\s+bind\s/.test(line)) {
      lines.push(`    bind 127.0.0.1:${sectionName === 'stats' ? options.statsPort : options.port}`);
      continue;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

export interface Balancer {
  url: string;
  statsUrl: string;
  /** Each replica's state as HAProxy sees it: UP, DOWN, MAINT, "UP 1/2" while changing. */
  states(): Promise<Record<string, string>>;
  log(): string;
  stop(): Promise<void>;
}

/** HAProxy over the replicas, in the foreground; resolves once it sees every replica UP. */
export async function startBalancer(options: BalancerOptions): Promise<Balancer> {
  const config = join(options.dir, 'haproxy.cfg');
  await writeFile(config, renderHaproxyConfig(await readFile(join(HERE, 'haproxy.cfg'), 'utf8'), options));
  // Debian installs it in /usr/sbin, which a non-root PATH may lack.
  const { child, exited, log } = spawnLogged(existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy', ['-db', '-f', config]);
  const statsUrl = `http://127.0.0.1:${options.statsPort}/`;
  const states = async () => {
    const csv = await (await fetch(`${statsUrl};csv`)).text();
    const [header, ...rows] = csv.trim().split('\n');
    const columns = header!.replace(/^# /, '').split(',');
    const [proxy, server, status] = ['pxname', 'svname', 'status'].map((c) => columns.indexOf(c));
    const result: Record<string, string> = {};
    for (const row of rows.map((r) => r.split(','))) {
      if (row[proxy!] === 'replicas' && row[server!] !== 'BACKEND') result[row[server!]!] = row[status!]!;
    }
    return result;
  };
  const balancer = { url: `http://127.0.0.1:${options.port}`, statsUrl, states, log, stop: async () => void (await stopChild(child, exited, 'SIGTERM')) };
  try {
    await until(async () => {
      if (child.exitCode !== null) throw new Error('exited');
      const seen = await states();
      return options.replicas.every((r) => seen[r.name] === 'UP');
    }, 'HAProxy seeing every replica up');
  } catch (error) {
    await balancer.stop();
    throw new Error(`HAProxy did not come up (${(error as Error).message}): ${log()}`);
  }
  return balancer;
}

/** Polls until HAProxy reports `replica` in `state` (UP or DOWN). */
export async function waitForState(balancer: Balancer, replica: string, state: 'UP' | 'DOWN', seconds = 30): Promise<void> {
  await until(async () => (await balancer.states())[replica] === state, `HAProxy marking ${replica} ${state}`, seconds);
}
