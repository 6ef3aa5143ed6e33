import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `vocable <args>` (src/cli/main.ts) to the end. */
export async function runCli(args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

export interface RunningServer {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything the server has logged so far. */
  log(): string;
  stop(): Promise<number | null>;
}

/** Starts `vocable serve <args>` on a free loopback port (Node given `nodeArgs` too); resolves once it listens. */
export async function startServer(args: string[], nodeArgs: string[] = []): Promise<RunningServer> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', '0', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${log}`)));
    });
    return {
      url,
      child,
      log: () => log,
      stop: async () => {
        if (child.exitCode !== null) return child.exitCode;
        child.kill('SIGTERM');
        const [code] = (await once(child, 'exit')) as [number | null];
        return code;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
