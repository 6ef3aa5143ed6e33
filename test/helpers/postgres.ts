import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ROOT } from './cli.js';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'scripts', 'throwaway-postgres.sh');

/** A free loopback port (free when asked: good enough for a test's own servers). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A PostgreSQL cluster of the test's own in a temporary folder (scripts/throwaway-postgres.sh), which it may stop and start. */
export interface ThrowawayCluster {
  /** The URL of its `postgres` database, as superuser. */
  adminUrl: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'vocable-pg-'));
  // The script's watchdog stops the cluster if this process dies before its after() hooks run.
  const env = { ...process.env, THROWAWAY_PG_OWNER: String(process.pid) };
  const start = async (port?: number) => (await run('bash', [SCRIPT, 'start', dir, ...(port ? [String(port)] : [])], { env })).stdout.trim();
  const stop = async () => void (await run('bash', [SCRIPT, 'stop', dir]));
  try {
    const adminUrl = await start(await freePort());
    return {
      adminUrl,
      stop,
      start: async () => void (await start()),
      destroy: async () => {
        await stop().catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A database made for one test file, dropped afterwards; with its cluster when the test started one. */
export interface TestDatabase {
  url: string;
  /** Rows left in the voice table (0 when the table was never made). */
  voiceRows(): Promise<number>;
  /** The cluster, when this test started its own (so it may restart it). */
  cluster?: ThrowawayCluster;
  drop(): Promise<void>;
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database on the server `VOCABLE_TEST_POSTGRES_URL` names (an admin URL; .ci/run starts
 * one), or else on a throwaway cluster started here. `ownCluster` always starts one, for tests
 * that stop the server.
 */
export async function testDatabase(options: { ownCluster?: boolean } = {}): Promise<TestDatabase> {
  const shared = options.ownCluster ? undefined : process.env.VOCABLE_TEST_POSTGRES_URL;
  const cluster = shared ? undefined : await startThrowawayCluster();
  const adminUrl = shared ?? cluster!.adminUrl;
  const name = `vocable_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    cluster,
    async voiceRows() {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>("SELECT CASE WHEN to_regclass('vocable_voices') IS NULL THEN 0 ELSE (SELECT count(*) FROM vocable_voices) END AS n");
        return Number(rows[0]!.n);
      } finally {
        await client.end();
      }
    },
    async drop() {
      if (cluster) return cluster.destroy();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
