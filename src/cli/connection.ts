import { resolveConfig, type Config } from '../config.js';
import { discoverModels } from '../engine/discovery.js';
import { buildApp } from '../server/app.js';
import { BadSettingError, CliError } from './cli-error.js';
import { inCliWords } from './cli-wording.js';

/** Where CLI commands send their API requests: a running server, or one started in-process. */
export interface Connection {
  /** Calls the API; an error answer becomes a CliError with the server's message. */
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface ConnectionFlags extends Partial<Record<keyof Config, unknown>> {
  /** A running Vocable server; without it the command runs the server's services in-process. */
  url?: string;
}

function connectionTo(base: string, apiKey: string | undefined, close: () => Promise<void>): Connection {
  return {
    async call(path, init = {}) {
      const headers = new Headers(init.headers);
      if (apiKey) headers.set('authorization', `Bearer ${apiKey}`);
      let response: Response;
      try {
        response = await fetch(new URL(path, base), { ...init, headers });
      } catch (error) {
        throw new CliError(`cannot reach ${base} (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}); is the server running?`);
      }
      if (!response.ok) {
        const body = (await response.json().catch(() => undefined)) as { error?: { message?: string; param?: string | null } } | undefined;
        throw new CliError(body?.error?.message ? inCliWords(body.error.message, body.error.param) : `the server answered HTTP ${response.status}`);
      }
      return response;
    },
    close,
  };
}

/**
 * A connection for one CLI command. With `--url`, to that server (with `--api-key` if given);
 * otherwise the same app the server runs, started on a loopback port for the command's duration,
 * over the local models folder. In-process it never downloads, and logs nothing.
 */
/** `--url` as a base URL, or a bad setting that says what a good one looks like. */
function serverUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadSettingError(`--url must be a server address such as http://localhost:8000, not '${url}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new BadSettingError(`--url must start with http:// or https://, not '${parsed.protocol}'`);
  return url;
}

async function connect({ url, ...flags }: ConnectionFlags): Promise<Connection> {
  // The one config path `serve` takes too: the key comes from --api-key, VOCABLE_API_KEY or the config file.
  const config = resolveConfig({ logLevel: 'silent', ...flags, host: '127.0.0.1', port: 0, offline: true });
  if (url) return connectionTo(serverUrl(url), config.apiKey, async () => undefined);
  const { app } = buildApp(config, await discoverModels(config.modelsDir));
  const address = await app.listen({ host: config.host, port: 0 });
  return connectionTo(address, config.apiKey, () => app.close());
}

/** Runs `work` over a connection, closing it however `work` ends. */
export async function withConnection<T>(flags: ConnectionFlags, work: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await connect(flags);
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}
